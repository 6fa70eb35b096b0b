import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112, landmarkCropMatrix } from '../../src/vision/align.ts';
import { applyAffine } from '../../src/vision/affine.ts';
import { landmarksInFrame } from '../../src/vision/landmark3d.ts';
import { MEAN_SHAPE_68 } from '../../src/vision/meanshape68.ts';
import { MEAN_SHAPE_KPS5, poseFromKps5, poseFromLandmarks68 } from '../../src/vision/pose.ts';
import { rotationToPose, type Mat3, type Vec3 } from '../../src/vision/pose-math.ts';
import type { Point, Pose } from '../../src/vision/types.ts';

/** R = Rz(roll) Ry(yaw) Rx(pitch): the composition insightface's matrix2angle takes apart. */
function rotation({ yaw, pitch, roll }: Pose): Mat3 {
  const rad = Math.PI / 180;
  const [cx, sx, cy, sy, cz, sz] = [pitch, pitch, yaw, yaw, roll, roll].map((a, i) =>
    i % 2 === 0 ? Math.cos(a * rad) : Math.sin(a * rad),
  ) as [number, number, number, number, number, number];
  return [
    [cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx],
    [sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx],
    [-sy, cy * sx, cy * cx],
  ];
}

/** The shape posed by `pose`, scaled to pixels and placed in a frame (y down, like the mean shape). */
function posed(shape: readonly Vec3[], pose: Pose, scale = 200, at: Point = [640, 360]): Vec3[] {
  const r = rotation(pose);
  return shape.map((p) => {
    const [x, y, z] = r.map((row) => row[0] * p[0] + row[1] * p[1] + row[2] * p[2]) as Vec3;
    return [at[0] + scale * x, at[1] + scale * y, scale * z];
  });
}

/** Deterministic jitter so the noisy case is the same on every run. */
function jitter(points: Vec3[], pixels: number): Vec3[] {
  let seed = 7;
  const next = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2 * pixels;
  return points.map(([x, y, z]) => [x + next(), y + next(), z + next()]);
}

const POSES: Pose[] = [
  { yaw: 0, pitch: 0, roll: 0 },
  { yaw: 30, pitch: 0, roll: 0 },
  { yaw: 0, pitch: -20, roll: 0 },
  { yaw: 0, pitch: 0, roll: 15 },
  { yaw: -45, pitch: 10, roll: 5 },
  { yaw: 10, pitch: -25, roll: -15 },
  { yaw: 60, pitch: 20, roll: 30 },
  { yaw: -70, pitch: -30, roll: -20 },
];

function expectPose(actual: Pose, expected: Pose, degrees: number): void {
  expect(Math.abs(actual.yaw - expected.yaw)).toBeLessThan(degrees);
  expect(Math.abs(actual.pitch - expected.pitch)).toBeLessThan(degrees);
  expect(Math.abs(actual.roll - expected.roll)).toBeLessThan(degrees);
}

describe('pose from 68 3D landmarks (1k3d68 path)', () => {
  it.each(POSES)('recovers yaw $yaw, pitch $pitch, roll $roll', (pose) => {
    expectPose(poseFromLandmarks68(posed(MEAN_SHAPE_68, pose)), pose, 1e-6);
    expectPose(poseFromLandmarks68(jitter(posed(MEAN_SHAPE_68, pose), 1.5)), pose, 1);
  });

  it('takes landmarks back from the model crop to the frame, depth included', () => {
    const box: [number, number, number, number] = [500, 200, 760, 520];
    const truth = posed(MEAN_SHAPE_68, { yaw: 25, pitch: -10, roll: 8 }, 180, [630, 360]);
    const crop = landmarkCropMatrix(box, 192);
    const scale = Math.hypot(crop[0], crop[1]);
    // The model's 3309 values are 1103 points of which the last 68 are the landmarks, in [-1, 1].
    const output = new Float32Array(3309);
    truth.forEach(([x, y, z], i) => {
      const [cx, cy] = applyAffine(crop, [x, y]);
      output.set([cx / 96 - 1, cy / 96 - 1, (z * scale) / 96], (1103 - 68 + i) * 3);
    });
    const landmarks = landmarksInFrame(output, crop, 192);
    landmarks.forEach((p, i) => p.forEach((v, k) => expect(v).toBeCloseTo(truth[i]![k]!, 2)));
    expectPose(poseFromLandmarks68(landmarks), { yaw: 25, pitch: -10, roll: 8 }, 0.01);
  });
});

describe('pose estimated from 5 keypoints', () => {
  const project = (pose: Pose): Point[] => posed(MEAN_SHAPE_KPS5, pose).map(([x, y]): Point => [x, y]);

  it.each(POSES)('recovers yaw $yaw, pitch $pitch, roll $roll from exact keypoints', (pose) => {
    expectPose(poseFromKps5(project(pose)), pose, 1);
  });

  it('reads the signs insightface uses', () => {
    const [leftEye, rightEye, nose] = project({ yaw: 0, pitch: 0, roll: 0 });
    const turned = project({ yaw: 30, pitch: 0, roll: 0 });
    const raised = project({ yaw: 0, pitch: 20, roll: 0 });
    const tilted = project({ yaw: 0, pitch: 0, roll: 15 });
    // Positive yaw: the nose moves towards the image's right.
    expect(turned[2]![0] - (turned[0]![0] + turned[1]![0]) / 2).toBeGreaterThan(nose![0] - (leftEye![0] + rightEye![0]) / 2);
    // Positive pitch: the nose moves up the image, towards the eyes.
    expect(raised[2]![1] - raised[0]![1]).toBeLessThan(nose![1] - leftEye![1]);
    // Positive roll: the eye on the image's right sits lower (clockwise on screen).
    expect(tilted[1]![1]).toBeGreaterThan(tilted[0]![1]);
  });

  it('reads the ArcFace template, the canonical frontal face, with the mean shape pitch offset', () => {
    const pose = poseFromKps5(ARCFACE_TEMPLATE_112);
    expect(Math.abs(pose.yaw)).toBeLessThan(2);
    expect(Math.abs(pose.roll)).toBeLessThan(1);
    expect(pose.pitch).toBeGreaterThan(-25);
    expect(pose.pitch).toBeLessThan(-18);
  });
});

describe('rotation to angles', () => {
  it('handles the gimbal lock at yaw 90 degrees', () => {
    const pose = rotationToPose(rotation({ yaw: 90, pitch: 20, roll: 0 }));
    expect(pose.yaw).toBeCloseTo(90, 6);
    expect(pose.roll).toBe(0);
  });
});
