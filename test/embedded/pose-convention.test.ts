/**
 * The pose convention of docs/pose.md on real faces through the real embedded analyzer: labelled
 * crops (test/fixtures/pose, labels in docs/analysis/pose-labels.json) and their mirror images,
 * which must read the opposite yaw and roll and the same pitch.
 */

import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames } from '../../src/media/decode.ts';
import { createEmbeddedAnalyzer, type EmbeddedFace } from '../../src/faces/embedded/analyzer.ts';
import type { FaceAnalyzer } from '../../src/faces/types.ts';
import { mirrored } from '../../src/faces/onnx/image.ts';
import type { RgbFrame } from '../../src/faces/types.ts';
import { sharedPack } from '../helpers/shared-models.ts';
import { repoRoot } from './fixtures.ts';

let analyzer: FaceAnalyzer<EmbeddedFace>;
beforeAll(async () => {
  analyzer = await createEmbeddedAnalyzer(await sharedPack(), { device: 'cpu', threads: 1, scoreThreshold: 0.5 });
});

async function crop(name: string): Promise<RgbFrame> {
  for await (const frame of decodeFrames(path.join(repoRoot, 'test/fixtures/pose', name), { pixFmt: 'rgb24' })) return frame;
  throw new Error(`${name} decoded to no frame`);
}

/** The one face of the crop and of its mirror image. */
async function faceAndMirror(name: string): Promise<[EmbeddedFace, EmbeddedFace]> {
  const frame = await crop(name);
  const [faces, mirrorFaces] = await analyzer.detect([frame, mirrored(frame)]);
  expect(faces).toHaveLength(1);
  expect(mirrorFaces).toHaveLength(1);
  return [faces![0]!, mirrorFaces![0]!];
}

describe('pose convention on labelled crops (embedded pack)', () => {
  it('reads a frontal face (labelled 0°) near 0, with full confidence', async () => {
    const [face, mirror] = await faceAndMirror('frontal-hamilton.jpg');
    for (const f of [face, mirror]) {
      expect(Math.abs(f.yaw!)).toBeLessThan(15);
      expect(f.poseConfidence).toBeGreaterThan(0.9);
    }
  });

  it('reads a turn to the image right (labelled +25°) as positive yaw, its mirror as negative', async () => {
    const [face, mirror] = await faceAndMirror('right-turn-tos.jpg');
    expect(face.yaw).toBeGreaterThan(15);
    expect(face.yaw).toBeLessThan(55);
    expect(mirror.yaw).toBeLessThan(-15);
    expect(mirror.yaw).toBeGreaterThan(-55);
  });

  it('reads a turn to the image left (labelled -40°) as negative yaw, its mirror as positive', async () => {
    const [face, mirror] = await faceAndMirror('left-turn-tos.jpg');
    expect(face.yaw).toBeLessThan(-25);
    expect(face.yaw).toBeGreaterThan(-65);
    expect(mirror.yaw).toBeGreaterThan(25);
  });

  it('reads a near profile (labelled +80°) beyond 50°, with less confidence than a frontal face', async () => {
    const [face, mirror] = await faceAndMirror('right-profile-tos.jpg');
    expect(face.yaw).toBeGreaterThan(50);
    expect(mirror.yaw).toBeLessThan(-50);
    expect(face.poseConfidence).toBeLessThan(0.9);
  });

  it('reads a head bowed strongly as negative pitch, mirror or not, and mirrors roll', async () => {
    const [face, mirror] = await faceAndMirror('down-tos.jpg');
    expect(face.pitch).toBeLessThan(-15);
    expect(mirror.pitch).toBeLessThan(-15);
    expect(Math.sign(face.roll!)).toBe(-Math.sign(mirror.roll!));
  });
});
