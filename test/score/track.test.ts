import { describe, expect, it } from 'vitest';
import { encodeFloat16Base64 } from '../../src/detect/float16.ts';
import { parseSamples, sampleStep } from '../../src/track/detections.ts';
import { faceSize, iou } from '../../src/track/geometry.ts';
import { buildTracks } from '../../src/track/track.ts';
import { faceAt, person, samples, scenesAt, TRACK_DEFAULTS } from './build.ts';

const track = (perSample: Parameters<typeof samples>[0], cuts: number[] = [], params = TRACK_DEFAULTS) =>
  buildTracks(samples(perSample), scenesAt(cuts, perSample.length * 0.5), 0.5, params);

const times = (t: { samples: { t: number }[] }) => t.samples.map((s) => s.t);

describe('geometry', () => {
  it('measures overlap and face size', () => {
    expect(iou([0, 0, 10, 10], [0, 0, 10, 10])).toBe(1);
    expect(iou([0, 0, 10, 10], [5, 0, 15, 10])).toBeCloseTo(1 / 3);
    expect(iou([0, 0, 10, 10], [20, 20, 30, 30])).toBe(0);
    expect(faceSize([0, 0, 60, 90])).toBe(60);
  });
});

describe('detections.jsonl', () => {
  it('reads faces, embeddings and failed frames (gaps)', () => {
    const emb = encodeFloat16Base64([0.6, 0.8]);
    const text = [
      JSON.stringify({ t: 0, i: 0, w: 640, h: 360, faces: [{ box: [1, 2, 3, 4], score: 0.9, kps: null, yaw: 5, pitch: null, roll: null, pose: 'kps5', emb }] }),
      JSON.stringify({ t: 0.52, i: 1, error: 'decode failed' }),
      JSON.stringify({ t: 1.0, i: 2, w: 640, h: 360, faces: [] }),
      '',
    ].join('\n');
    const parsed = parseSamples(text);
    expect(parsed).toHaveLength(3);
    expect(parsed[0]!.faces![0]).toMatchObject({ box: [1, 2, 3, 4], score: 0.9, yaw: 5, pitch: null, pose: 'kps5' });
    expect([...parsed[0]!.faces![0]!.embedding!]).toEqual([expect.closeTo(0.6, 3), expect.closeTo(0.8, 3)]);
    expect(parsed[1]!.faces).toBeNull();
    expect(parsed[2]!.faces).toEqual([]);
    // Sample times jitter by a frame; the step is the slope over the whole run.
    expect(sampleStep(parsed)).toBeCloseTo(0.5);
  });
});

describe('linking by IoU', () => {
  it('links a face moving slowly across samples into one track', () => {
    const tracks = track([[faceAt(100)], [faceAt(120)], [faceAt(140)], [faceAt(160)]]);
    expect(tracks).toHaveLength(1);
    expect(times(tracks[0]!)).toEqual([0, 0.5, 1, 1.5]);
  });

  it('keeps two faces side by side apart, and each face index follows its face', () => {
    const tracks = track([
      [faceAt(100), faceAt(700)],
      [faceAt(710), faceAt(110)],
      [faceAt(120), faceAt(720)],
    ]);
    expect(tracks).toHaveLength(2);
    const left = tracks.find((t) => t.samples[0]!.face === 0)!;
    expect(left.samples.map((s) => s.face)).toEqual([0, 1, 0]);
  });

  it('does not link boxes that overlap less than track_iou', () => {
    // 200 px boxes 150 px apart: IoU 50/350 = 0.14; no embeddings and far apart, so no stitch either.
    const tracks = track([[faceAt(100)], [faceAt(350)]]);
    expect(tracks).toHaveLength(2);
  });

  it('refuses a link between overlapping boxes whose embeddings disagree', () => {
    const tracks = track([[faceAt(100, { embedding: person(0) })], [faceAt(110, { embedding: person(1) })]]);
    expect(tracks).toHaveLength(2);
  });
});

describe('stitching across gaps', () => {
  it('stitches a face missed for up to track_gap seconds, when it reappears near where it was', () => {
    const tracks = track([[faceAt(100)], [faceAt(110)], [], [], [faceAt(130)], [faceAt(140)]]);
    expect(tracks).toHaveLength(1);
    expect(times(tracks[0]!)).toEqual([0, 0.5, 2, 2.5]);
  });

  it('treats a failed frame (an error line) as a gap', () => {
    const tracks = track([[faceAt(100)], null, [faceAt(100)]]);
    expect(tracks).toHaveLength(1);
  });

  it('does not stitch across a gap longer than track_gap', () => {
    const tracks = track([[faceAt(100)], [], [], [], [faceAt(100)]]);
    expect(tracks).toHaveLength(2);
  });

  it('stitches by embedding wherever the face reappears, and never a different person', () => {
    const tracks = track([
      [faceAt(100, { embedding: person(0) })],
      [],
      [faceAt(900, { embedding: person(1) })],
      [faceAt(1000, { embedding: person(0) })],
    ]);
    expect(tracks).toHaveLength(2);
    const first = tracks.find((t) => t.start === 0)!;
    expect(times(first)).toEqual([0, 1.5]);
  });

  it('never links or stitches across a scene cut', () => {
    const tracks = track([[faceAt(100)], [faceAt(100)], [faceAt(100)], [faceAt(100)]], [1]);
    expect(tracks.map((t) => [t.scene, t.start, t.end])).toEqual([
      [0, 0, 0.5],
      [1, 1, 1.5],
    ]);
  });
});
