import { beforeAll, describe, expect, it } from 'vitest';
import { createInsightfaceAnalyzer, loadPack, type FaceAnalyzer, type Box, type Face, type RgbFrame } from '../../src/faces/index.ts';
import { createScrfdDetector } from '../../src/faces/insightface/scrfd.ts';
import { lacks, TEST_CORPUS, TEST_MODELS } from '../helpers/test-data.ts';
import { SCRFD_MODEL, folderOfScrfd, frameAt } from './fixtures.ts';

/** Face box heights from ../shared/corpus/MANIFEST.md (midpoint of the noted range). */
const SINGLE_FACE = [
  { video: 'woman_frontal_static_720p.mp4', time: 1, height: 310 },
  { video: 'man_selfie_vertical_720x1280_noaudio.mp4', time: 2, height: 540 },
  { video: 'congresswoman_address_mpeg4_512.mp4', time: 1, height: 350 },
  { video: 'woman_closeup_grimaces_480x480_33s.mp4', time: 5, height: 360 },
  { video: 'woman_interview_threequarter_720p.mp4', time: 1, height: 288 },
  { video: 'woman_fullbody_dance_720x1080.mp4', time: 2, height: 112 },
  { video: 'hamilton_whitehouse_cuts_640x360.mp4', time: 5, height: 115 },
  { video: 'multishot_8shots_1280x720_25fps.mp4', time: 13, height: 485 },
] as const;

const NO_FACE = [
  { video: 'nature_nofaces_cuts_fades_720p_noaudio.mp4', time: 3 },
  { video: 'nature_nofaces_cuts_fades_720p_noaudio.mp4', time: 9.5 }, // the deer's head
  { video: 'coffee_pour_noface_720p.mp4', time: 1 }, // where the SSD saw a face on the shirt
  { video: 'multishot_8shots_1280x720_25fps.mp4', time: 5.5 },
] as const;

const CROWD = { video: 'opera_house_walkers_1080p.mp4', time: 3.5 };

const height = (box: Box) => box[3] - box[1];

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const area = (r: Box) => (r[2] - r[0]) * (r[3] - r[1]);
  return (w * h) / (area(a) + area(b) - w * h);
}

function expectKeypointsInside(face: Face): void {
  expect(face.kps).toHaveLength(5);
  for (const [x, y] of face.kps!) {
    expect(x).toBeGreaterThanOrEqual(face.box[0]);
    expect(x).toBeLessThanOrEqual(face.box[2]);
    expect(y).toBeGreaterThanOrEqual(face.box[1]);
    expect(y).toBeLessThanOrEqual(face.box[3]);
  }
}

describe.skipIf(lacks([TEST_MODELS, TEST_CORPUS], 'SCRFD-500M on corpus frames'))('SCRFD-500M on corpus frames', () => {
  let analyzer: FaceAnalyzer;
  let faceFrames: RgbFrame[];
  let emptyFrames: RgbFrame[];
  let crowdFrame: RgbFrame;
  let faces: Face[][];

  beforeAll(async () => {
    const pack = await loadPack(await folderOfScrfd(['det_500m.onnx']));
    analyzer = await createInsightfaceAnalyzer(pack, { device: 'cpu', threads: 2, detSize: 640, scoreThreshold: 0.5 });
    // Decoding in parallel: each frame costs an ffmpeg seek.
    [faceFrames, emptyFrames, crowdFrame] = await Promise.all([
      Promise.all(SINGLE_FACE.map((c) => frameAt(c.video, c.time))),
      Promise.all(NO_FACE.map((c) => frameAt(c.video, c.time))),
      frameAt(CROWD.video, CROWD.time),
    ]);
    faces = await analyzer.detect(faceFrames);
  });

  it.each(SINGLE_FACE.map((c, i) => ({ ...c, i })))('$video at $time s: one face of about $height px', ({ i, height: expected }) => {
    const found = faces[i]!;
    expect(found).toHaveLength(1);
    const face = found[0]!;
    expect(height(face.box)).toBeGreaterThan(expected * 0.75);
    expect(height(face.box)).toBeLessThan(expected * 1.25);
    expect(face.detScore).toBeGreaterThanOrEqual(0.5);
    expectKeypointsInside(face);
  });

  it('finds no face where there is none (landscape, deer, torso)', async () => {
    const found = await analyzer.detect(emptyFrames);
    expect(found.map((f) => f.length)).toEqual(NO_FACE.map(() => 0));
  });

  it('keeps one box per face among several walkers', async () => {
    const [crowd] = await analyzer.detect([crowdFrame]);
    expect(crowd!.length).toBeGreaterThanOrEqual(3);
    for (const [i, a] of crowd!.entries()) {
      expectKeypointsInside(a);
      for (const b of crowd!.slice(i + 1)) expect(iou(a.box, b.box)).toBeLessThan(0.4);
    }
    const scores = crowd!.map((f) => f.detScore);
    expect(scores).toEqual([...scores].sort((x, y) => y - x));
  });

  it('estimates pose from the 5 keypoints and says so, with no embedding in a detector-only pack', () => {
    expect(analyzer.poseOrigin).toBe('kps5');
    for (const face of faces.flat()) {
      expect(face.poseOrigin).toBe('kps5');
      for (const angle of [face.yaw, face.pitch, face.roll]) expect(Number.isFinite(angle)).toBe(true);
      expect(face.embedding).toBeUndefined();
    }
    // Near-frontal faces read small yaw and roll (pitch carries the mean shape's offset, docs/pose.md).
    const frontal = faces[1]![0]!;
    expect(Math.abs(frontal.yaw!)).toBeLessThan(15);
    expect(Math.abs(frontal.roll!)).toBeLessThan(10);
  });

  it('gives the same faces whether frames come one by one or together', async () => {
    const one = await analyzer.detect([faceFrames[0]!]);
    expect(faces[0]).toEqual(one[0]);
  });

  it('runs on the cpu it was asked for, without notices', () => {
    expect(analyzer.provider).toBe('cpu');
    expect(analyzer.notices).toEqual([]);
    expect(analyzer.notes).toEqual([]);
  });
});

describe.skipIf(lacks(TEST_MODELS, 'SCRFD model geometry'))('SCRFD model geometry', () => {
  it('reads a fixed batch of 1 and a fixed 640x640 input from the graph', async () => {
    const detector = await createScrfdDetector(SCRFD_MODEL, {
      device: 'cpu', threads: 1, detSize: 320, scoreThreshold: 0.5, nmsThreshold: 0.4, batchSize: 4,
    });
    expect(detector.batchSize).toBe(1);
    expect(detector.input).toEqual({ width: 640, height: 640 });
    expect(detector.hasKps).toBe(true);
    expect(detector.notes.join()).toMatch(/fixed 640x640 input; detSize 320 does not apply/);
  });
});
