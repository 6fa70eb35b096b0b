import { describe, expect, it } from 'vitest';
import { blazeFaceAnchors, decodeBlazeFace } from '../../src/faces/embedded/blazeface-decode.ts';
import { faceCropMatrix } from '../../src/faces/embedded/face-crop.ts';
import { MESH_POINTS, MESH_SATURATION, meshInFrame, poseFromMesh } from '../../src/faces/embedded/mesh.ts';
import { applyAffine } from '../../src/faces/geometry/affine.ts';
import { CANONICAL_MESH } from '../../src/faces/pose/canonical-face.ts';
import { calibratedPose } from '../../src/faces/pose/pose-calibration.ts';
import type { Mat3, Vec3 } from '../../src/faces/pose/pose-math.ts';

describe('BlazeFace decoding', () => {
  it('lays out 512 anchors on the 16x16 grid and 384 on the 8x8 grid, at cell centres', () => {
    const [fine, coarse] = blazeFaceAnchors();
    expect(fine).toHaveLength(512);
    expect(coarse).toHaveLength(384);
    expect(fine!.slice(0, 3)).toEqual([[8, 8], [8, 8], [24, 8]]);
    expect(coarse![6]).toEqual([48, 16]);
    expect(coarse!.at(-1)).toEqual([240, 240]);
  });

  it('turns one anchor regression into a box and keypoints around that anchor', () => {
    const scores = [new Float32Array(512).fill(-10), new Float32Array(384).fill(-10)];
    const boxes = [new Float32Array(512 * 16), new Float32Array(384 * 16)];
    const anchor = 6 * 9 + 2; // cell (1, 1) of the 8x8 grid, centre (48, 48)
    scores[1]![anchor] = 2;
    boxes[1]!.set([3, -2, 40, 50, -10, -5, 10, -5], anchor * 16);
    const [face, ...others] = decodeBlazeFace(scores, boxes, 0.5);
    expect(others).toEqual([]);
    expect(face!.score).toBeCloseTo(1 / (1 + Math.exp(-2)), 6);
    expect(face!.box).toEqual([31, 21, 71, 71]);
    expect(face!.keypoints.slice(0, 2)).toEqual([[38, 43], [58, 43]]);
  });
});

describe('face crop and mesh geometry', () => {
  it('maps the face centre to the crop centre, level with the eyes, and back', () => {
    const crop = faceCropMatrix({ center: [500, 300], side: 200, angle: Math.PI / 6 }, 192);
    expect(applyAffine(crop, [500, 300])).toEqual([expect.closeTo(96, 9), expect.closeTo(96, 9)]);
    // A point along the eye line stays on the crop's horizontal through the centre.
    const [x, y] = applyAffine(crop, [500 + 100 * Math.cos(Math.PI / 6), 300 + 100 * Math.sin(Math.PI / 6)]);
    expect(x).toBeCloseTo(192, 6);
    expect(y).toBeCloseTo(96, 6);
    const output = new Float32Array(MESH_POINTS * 3);
    output.set([96, 96, 10]);
    const [centre] = meshInFrame(output, crop);
    // FaceMesh's depth grows away from the camera; the frame's z points towards it.
    expect(centre).toEqual([expect.closeTo(500, 6), expect.closeTo(300, 6), expect.closeTo(-10 * (200 / 192), 6)]);
  });

  it.each([
    { yaw: 30, pitch: 0, roll: 0 },
    { yaw: -25, pitch: 10, roll: 5 },
    { yaw: 0, pitch: -15, roll: -20 },
  ])('reads the canonical face posed at yaw $yaw, pitch $pitch, roll $roll as the calibration says, with no fit error', (pose) => {
    const found = poseFromMesh(syntheticMesh(pose));
    const expected = calibratedPose(rotation(pose), MESH_SATURATION);
    expect(found.yaw).toBeCloseTo(expected.yaw, 3);
    expect(found.pitch).toBeCloseTo(expected.pitch, 3);
    expect(found.roll).toBeCloseTo(pose.roll, 3);
    expect(found.poseConfidence).toBeCloseTo(expected.poseConfidence, 3);
    expect(found.fitError).toBeLessThan(1e-6);
  });
});

/** R = Rz(roll) Ry(yaw) Rx(pitch), angles in degrees. */
function rotation({ yaw, pitch, roll }: { yaw: number; pitch: number; roll: number }): Mat3 {
  const rad = Math.PI / 180;
  return mul(rot('z', roll * rad), mul(rot('y', yaw * rad), rot('x', pitch * rad))) as Mat3;
}

/** The canonical face rotated by `pose`, scaled to 200 px, placed at (400, 300). */
function syntheticMesh(pose: { yaw: number; pitch: number; roll: number }): Vec3[] {
  const r = rotation(pose);
  return CANONICAL_MESH.map((p) => {
    const q = r.map((row) => row[0] * p[0] + row[1] * p[1] + row[2] * p[2]);
    return [400 + 200 * q[0]!, 300 + 200 * q[1]!, 200 * q[2]!];
  });
}

function rot(axis: 'x' | 'y' | 'z', a: number): number[][] {
  const c = Math.cos(a), s = Math.sin(a);
  if (axis === 'x') return [[1, 0, 0], [0, c, -s], [0, s, c]];
  if (axis === 'y') return [[c, 0, s], [0, 1, 0], [-s, 0, c]];
  return [[c, -s, 0], [s, c, 0], [0, 0, 1]];
}

function mul(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((sum, v, k) => sum + v * b[k]![j]!, 0)));
}
