import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE_112, landmarkCropMatrix } from '../../src/faces/insightface/align.ts';
import { applyAffine } from '../../src/faces/geometry/affine.ts';
import { CANONICAL_KPS5, CANONICAL_MESH, IBUG68_TO_MESH } from '../../src/faces/pose/canonical-face.ts';
import { landmarksInFrame } from '../../src/faces/insightface/landmark3d.ts';
import { KPS5_SATURATION, poseFromKps5, poseFromLandmarks68 } from '../../src/faces/insightface/pose.ts';
import { calibratedPose } from '../../src/faces/pose/pose-calibration.ts';
import { fitOrthographic, fitRigid3d, rotationToPose, type Mat3, type Vec3 } from '../../src/faces/pose/pose-math.ts';
import type { Point, Pose } from '../../src/faces/types.ts';

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

/** The shape posed by `pose`, scaled to pixels and placed in a frame (x right, y down, z towards the camera). */
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

/** 68 landmarks whose mesh-matched points sit where the posed canonical face puts them (the others are never read). */
function landmarks68(pose: Pose, scale = 200, at: Point = [640, 360]): Vec3[] {
  const mesh = posed(CANONICAL_MESH, pose, scale, at);
  const points: Vec3[] = Array.from({ length: 68 }, () => [at[0], at[1], 0]);
  for (const [ibug, vertex] of IBUG68_TO_MESH) points[ibug] = mesh[vertex]!;
  return points;
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

describe('rigid fits of the canonical face', () => {
  it.each(POSES)('recover yaw $yaw, pitch $pitch, roll $roll in 3D and from the image alone', (pose) => {
    const mesh = posed(CANONICAL_MESH, pose);
    const exact = fitRigid3d(CANONICAL_MESH, mesh);
    expectPose(rotationToPose(exact.rotation), pose, 1e-6);
    expect(exact.scale).toBeCloseTo(200, 6);
    expect(exact.error).toBeLessThan(1e-9);
    expectPose(rotationToPose(fitRigid3d(CANONICAL_MESH, jitter(mesh, 2)).rotation), pose, 1);
    const image = mesh.map(([x, y]): Point => [x, y]);
    expectPose(rotationToPose(fitOrthographic(CANONICAL_MESH, image).rotation), pose, 1e-4);
    const kps = posed(CANONICAL_KPS5, pose).map(([x, y]): Point => [x, y]);
    expectPose(rotationToPose(fitOrthographic(CANONICAL_KPS5, kps).rotation), pose, 1e-3);
  });

  it('measures how far a shape is from the canonical face, in units of its radius', () => {
    const squashed = CANONICAL_MESH.map(([x, y, z]): Vec3 => [x * 1.3, y, z]);
    const fit = fitRigid3d(CANONICAL_MESH, posed(squashed, { yaw: 20, pitch: 5, roll: 0 }, 150));
    expect(fit.error).toBeGreaterThan(0.05);
    expect(fit.error).toBeLessThan(0.3);
  });
});

describe('calibration of fitted angles', () => {
  const fitted = (pose: Pose) => rotation(pose);

  it('leaves a frontal face at 0 with full confidence, and reads the saturation angle as a profile with none', () => {
    expect(calibratedPose(fitted({ yaw: 0, pitch: 0, roll: 12 }, ), 60)).toEqual({ yaw: 0, pitch: 0, roll: expect.closeTo(12, 9), poseConfidence: 1 });
    const profile = calibratedPose(fitted({ yaw: -60, pitch: 0, roll: 0 }), 60);
    expect(profile.yaw).toBeCloseTo(-90, 6);
    expect(profile.poseConfidence).toBeCloseTo(0, 6);
  });

  it('stretches turns monotonically, keeps signs, and loses confidence towards the saturation', () => {
    const yaws = [5, 20, 35, 50, 58].map((yaw) => calibratedPose(fitted({ yaw, pitch: 0, roll: 0 }), 60));
    yaws.forEach((reading, i) => {
      expect(reading.yaw).toBeGreaterThan([5, 20, 35, 50, 58][i]!);
      if (i > 0) {
        expect(reading.yaw).toBeGreaterThan(yaws[i - 1]!.yaw);
        expect(reading.poseConfidence).toBeLessThan(yaws[i - 1]!.poseConfidence);
      }
    });
    expect(calibratedPose(fitted({ yaw: 0, pitch: -30, roll: 0 }), 60).pitch).toBeLessThan(-30);
  });

  it('changes nothing at a saturation of 90 degrees', () => {
    const reading = calibratedPose(fitted({ yaw: 40, pitch: -20, roll: 10 }), 90);
    expectPose(reading, { yaw: 40, pitch: -20, roll: 10 }, 1e-6);
    expect(reading.poseConfidence).toBeCloseTo(1, 6);
  });
});

describe('pose from 68 3D landmarks (1k3d68 path)', () => {
  it.each(POSES)('recovers yaw $yaw, pitch $pitch, roll $roll', (pose) => {
    expectPose(poseFromLandmarks68(landmarks68(pose)), pose, 1e-6);
    expectPose(poseFromLandmarks68(jitter(landmarks68(pose), 1.5)), pose, 1.5);
  });

  it('takes landmarks back from the model crop to the frame, depth included', () => {
    const box: [number, number, number, number] = [500, 200, 760, 520];
    const pose = { yaw: 25, pitch: -10, roll: 8 };
    const truth = landmarks68(pose, 180, [630, 360]);
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
    expectPose(poseFromLandmarks68(landmarks), pose, 0.01);
  });
});

describe('pose estimated from 5 keypoints', () => {
  const project = (pose: Pose): Point[] => posed(CANONICAL_KPS5, pose).map(([x, y]): Point => [x, y]);

  it.each(POSES)('reads exact keypoints of a fitted yaw $yaw, pitch $pitch, roll $roll as the calibration says', (pose) => {
    expectPose(poseFromKps5(project(pose)), calibratedPose(rotation(pose), KPS5_SATURATION), 1e-3);
  });

  it('reads the signs of docs/pose.md', () => {
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
    expect(poseFromKps5(turned).yaw).toBeGreaterThan(30);
    expect(poseFromKps5(raised).pitch).toBeGreaterThan(20);
    expect(poseFromKps5(tilted).roll).toBeCloseTo(15, 3);
  });

  it('gives finite angles, not an error, for keypoints that coincide (a detection of a few pixels)', () => {
    const pose = poseFromKps5(Array.from({ length: 5 }, (): Point => [10, 10]));
    for (const value of [pose.yaw, pose.pitch, pose.roll, pose.poseConfidence]) expect(Number.isFinite(value)).toBe(true);
  });

  it('reads the ArcFace template, the canonical frontal face of recognition models, as frontal', () => {
    const pose = poseFromKps5(ARCFACE_TEMPLATE_112);
    expect(Math.abs(pose.yaw)).toBeLessThan(3);
    expect(Math.abs(pose.roll)).toBeLessThan(1);
    // insightface's mean shape put it at pitch -21.6° (docs/pose.md).
    expect(Math.abs(pose.pitch)).toBeLessThan(3);
  });
});

describe('rotation to angles', () => {
  it('handles the gimbal lock at yaw 90 degrees', () => {
    const pose = rotationToPose(rotation({ yaw: 90, pitch: 20, roll: 0 }));
    expect(pose.yaw).toBeCloseTo(90, 6);
    expect(pose.roll).toBe(0);
  });
});
