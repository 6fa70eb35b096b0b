import { beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames } from '../../src/media/decode.ts';
import { createEmbeddedAnalyzer, type EmbeddedFace } from '../../src/faces/embedded/analyzer.ts';
import type { FaceAnalyzer } from '../../src/faces/types.ts';
import { cosineSimilarity } from '../../src/faces/geometry/vector.ts';
import type { RgbFrame } from '../../src/faces/types.ts';
import { lacks, lacksVideo, TEST_CORPUS } from '../helpers/test-data.ts';
import { sharedPack } from '../helpers/shared-models.ts';
import { corpusVideo, frameAt } from './fixtures.ts';

/** One clearly visible face in each, box height from the corpus's MANIFEST.md. */
const SINGLE_FACE = [
  { video: 'woman_frontal_static_720p.mp4', time: 1, height: 310 },
  { video: 'man_selfie_vertical_720x1280_noaudio.mp4', time: 2, height: 540 },
  { video: 'congresswoman_address_mpeg4_512.mp4', time: 1, height: 350 },
  { video: 'woman_closeup_grimaces_480x480_33s.mp4', time: 5, height: 360 },
  { video: 'woman_interview_threequarter_720p.mp4', time: 1, height: 288 },
  { video: 'hamilton_whitehouse_cuts_640x360.mp4', time: 5, height: 115 },
] as const;

const NO_FACE_CLIPS = ['coffee_pour_noface_720p.mp4', 'nature_nofaces_cuts_fades_720p_noaudio.mp4'];

let analyzer: FaceAnalyzer<EmbeddedFace>;
beforeAll(async () => {
  analyzer = await createEmbeddedAnalyzer(await sharedPack(), { device: 'cpu', threads: 1, scoreThreshold: 0.5 });
});

async function framesOf(video: string, start: number, duration: number, fps: number): Promise<RgbFrame[]> {
  const frames: RgbFrame[] = [];
  for await (const frame of decodeFrames(corpusVideo(video), { start, duration, fps, pixFmt: 'rgb24' })) frames.push(frame);
  return frames;
}

/** The single face of each frame (failing when there is none or more than one). */
async function onlyFaces(frames: readonly RgbFrame[]): Promise<EmbeddedFace[]> {
  const faces = await analyzer.detect(frames);
  for (const perFrame of faces) expect(perFrame).toHaveLength(1);
  return faces.map((perFrame) => perFrame[0]!);
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe('embedded analyzer on corpus frames', () => {
  it.for(SINGLE_FACE)('finds the one face of $video at $time s, about $height px tall', async ({ video, time, height }, ctx) => {
    if (lacksVideo(video, `the embedded analyzer on ${video}`)) return ctx.skip();
    const [face] = await onlyFaces([await frameAt(video, time)]);
    const [x1, y1, x2, y2] = face!.box;
    // The mesh spans brows-to-chin plus forehead; the SSD box of the manifest runs to the hairline.
    expect(y2 - y1).toBeGreaterThan(height * 0.65);
    expect(y2 - y1).toBeLessThan(height * 1.15);
    expect(face!.detScore).toBeGreaterThan(0.7);
    expect(face!.detScore).toBeLessThanOrEqual(1);
    for (const [x, y] of face!.kps!) {
      expect(x).toBeGreaterThan(x1);
      expect(x).toBeLessThan(x2);
      expect(y).toBeGreaterThan(y1);
      expect(y).toBeLessThan(y2);
    }
    expect(face!.embedding).toHaveLength(1024);
  });

  it.for(NO_FACE_CLIPS)('finds no face in %s', async (video, ctx) => {
    if (lacksVideo(video, `the embedded analyzer on ${video}`)) return ctx.skip();
    const faces = await analyzer.detect(await framesOf(video, 0, 24, 0.5));
    expect(faces.length).toBeGreaterThan(3);
    expect(faces.flat()).toEqual([]);
  });

  it.skipIf(lacks(TEST_CORPUS, 'the embedded analyzer\'s yaw test'))('gives a turned face a larger yaw than a frontal one, with the sign of the turn', async () => {
    // woman_interview looks towards screen-left (nose to the image's left: yaw < 0) until about 2.5 s, then at the camera.
    const turned = (await onlyFaces(await framesOf('woman_interview_threequarter_720p.mp4', 0.2, 1.2, 2))).map((f) => f.yaw!);
    const facing = (await onlyFaces(await framesOf('woman_interview_threequarter_720p.mp4', 4, 1.5, 2))).map((f) => f.yaw!);
    const selfie = (await onlyFaces(await framesOf('man_selfie_vertical_720x1280_noaudio.mp4', 1, 2, 1))).map((f) => f.yaw!);
    // Frontal by eye, but measured at about +16° by the mesh and by SCRFD's keypoint estimate alike.
    const frontal = (await onlyFaces(await framesOf('woman_frontal_static_720p.mp4', 1, 2, 1))).map((f) => f.yaw!);
    expect(Math.max(...turned)).toBeLessThan(-15);
    expect(mean(turned)).toBeLessThan(mean(facing) - 4);
    expect(Math.abs(mean(selfie))).toBeLessThan(Math.abs(mean(turned)) - 10);
    expect(Math.abs(mean(frontal))).toBeLessThan(Math.abs(mean(turned)));
  });

  it.skipIf(lacks(TEST_CORPUS, 'the embedded analyzer\'s embedding test'))('puts frames of one person closer together than faces of different people', async () => {
    const people = ['woman_frontal_static_720p.mp4', 'congresswoman_address_mpeg4_512.mp4', 'man_selfie_vertical_720x1280_noaudio.mp4', 'woman_closeup_grimaces_480x480_33s.mp4'];
    const embeddings = await Promise.all(
      people.map(async (video) => (await onlyFaces(await framesOf(video, 0.5, 6, 0.5))).map((f) => f.embedding!)),
    );
    const same: number[] = [];
    const different: number[] = [];
    embeddings.forEach((mine, p) => {
      mine.forEach((a, i) => mine.slice(i + 1).forEach((b) => same.push(cosineSimilarity(a, b))));
      embeddings.slice(p + 1).flat().forEach((other) => mine.forEach((a) => different.push(cosineSimilarity(a, other))));
    });
    expect(Math.min(...same)).toBeGreaterThan(Math.max(...different));
  });
});
