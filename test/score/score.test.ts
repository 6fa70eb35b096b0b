import { describe, expect, it } from 'vitest';
import { faceFailures } from '../../src/score/face-check.ts';
import { scoreVideo, type ScoreInput } from '../../src/score/segments.ts';
import type { ScoreParams } from '../../src/score/types.ts';
import { segmentId, uuid5 } from '../../src/score/uuid5.ts';
import type { DetectedFace } from '../../src/track/detections.ts';
import { buildTracks } from '../../src/track/track.ts';
import { DEFAULTS, face, faceAt, person, samples, scenesAt, TRACK_DEFAULTS } from './build.ts';

const STEP = 0.5;

/** Scores hand-built samples (0.5 s apart) after tracking them with the default track params. */
function score(
  perSample: readonly (DetectedFace[] | null)[],
  options: { cuts?: number[]; gaps?: ScoreInput['gaps']; params?: Partial<ScoreParams>; identity?: ScoreInput['identity'] } = {},
) {
  const gaps = options.gaps ?? [];
  // A gap in the pictures has no frame to sample.
  const sampled = samples(perSample, STEP).filter((sample) => !gaps.some((gap) => sample.t >= gap.start && sample.t < gap.end));
  const scenes = scenesAt(options.cuts ?? [], perSample.length * STEP);
  const tracks = buildTracks(sampled, scenes, STEP, TRACK_DEFAULTS);
  return scoreVideo(
    { samples: sampled, tracks, scenes, gaps, step: STEP, itemHash: 'abc123', identity: options.identity ?? null },
    { ...DEFAULTS, ...options.params },
  );
}

const good = () => [faceAt(100)];
const turned = () => [faceAt(100, { yaw: 80 })];
const repeat = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);
const spans = (result: ReturnType<typeof score>) => result.segments.map((s) => [s.start, s.end]);

describe('per-frame checks', () => {
  it('fails each limit of DESIGN.md, face size being the shorter box side', () => {
    expect(faceFailures(face([0, 0, 200, 200]), DEFAULTS)).toEqual([]);
    expect(faceFailures(face([0, 0, 79, 300]), DEFAULTS)).toEqual(['face']);
    expect(faceFailures(face([0, 0, 200, 200], { score: 0.4, yaw: -76, pitch: 46 }), DEFAULTS)).toEqual(['score', 'yaw', 'pitch']);
    expect(faceFailures(face([0, 0, 200, 200], { yaw: 75, pitch: -45 }), DEFAULTS)).toEqual([]);
    // A pack without pose cannot fail a face on pose.
    expect(faceFailures(face([0, 0, 200, 200], { yaw: null, pitch: null, poseConfidence: null }), DEFAULTS)).toEqual([]);
    // A profile the landmarks cannot measure fails the pose gate even where its angles read inside the limits.
    expect(faceFailures(face([0, 0, 200, 200], { yaw: 70, poseConfidence: 0.4 }), DEFAULTS)).toEqual(['pose']);
    expect(faceFailures(face([0, 0, 200, 200], { yaw: 70, poseConfidence: 0.5 }), DEFAULTS)).toEqual([]);
  });
});

describe('segments', () => {
  it('covers a track of passing faces from its first sample to one step past its last', () => {
    const result = score(repeat(6, good));
    expect(spans(result)).toEqual([[0, 3]]);
    expect(result.segments[0]).toMatchObject({ scene: 0, tracks: [0], scores: { frames: 6, passing: 6, passRatio: 1, medianFace: 200 } });
    expect(result.rejected).toEqual([]);
  });

  it('starts where the face turns frontal: the gate judges the stretch, not the whole track', () => {
    const result = score([...repeat(5, turned), ...repeat(6, good)]);
    expect(spans(result)).toEqual([[2.5, 5.5]]);
  });

  it('bridges gaps inside a track shorter than bridge_gap', () => {
    // 2 failing samples (1 s) between passing runs: bridged; the stretch's pass ratio 10/12 passes the gate.
    const result = score([...repeat(5, good), ...repeat(2, turned), ...repeat(5, good)]);
    expect(spans(result)).toEqual([[0, 6]]);
    expect(result.segments[0]!.scores).toMatchObject({ frames: 12, passing: 10 });
  });

  it('does not bridge a gap of bridge_gap or more', () => {
    const result = score([...repeat(4, good), ...repeat(6, turned), ...repeat(4, good)]);
    expect(spans(result)).toEqual([[0, 2], [5, 7]]);
  });

  it('rejects a bridged stretch that passes in fewer than track_pass_ratio of its frames', () => {
    const flicker = [good, turned, turned].flatMap((make) => make());
    const result = score([...repeat(4, () => flicker).flatMap((f) => f.map((x) => [x])), [faceAt(100)]]);
    expect(result.segments).toEqual([]);
    expect(result.rejected).toEqual([expect.objectContaining({ track: 0, reason: 'pass ratio 0.38 < track_pass_ratio 0.7' })]);
  });

  it('merges stretches of different tracks in one scene closer than merge_gap, and not farther ones', () => {
    const left = () => [faceAt(100)];
    const right = () => [faceAt(900)];
    // left 0-2 s, nothing for 1 s, right 3-5 s: 1 s apart, fused.
    const close = score([...repeat(4, left), [], [], ...repeat(4, right)]);
    expect(close.segments.map((s) => [s.start, s.end, s.tracks])).toEqual([[0, 5, [0, 1]]]);
    // 2.5 s apart: two segments.
    const far = score([...repeat(4, left), ...repeat(5, () => []), ...repeat(4, right)]);
    expect(far.segments.map((s) => s.tracks)).toEqual([[0], [1]]);
  });

  it('never merges or bridges across a scene cut, and clamps segments to their scene', () => {
    const result = score(repeat(12, good), { cuts: [2.9] });
    expect(spans(result)).toEqual([[0, 2.9], [3, 6]]);
    expect(result.segments.map((s) => s.scene)).toEqual([0, 1]);
  });

  it('ends a segment where a gap in the pictures starts, not a sample step into it', () => {
    // The last frame before the gap is shown until 2.7 s, the next comes at 4.5 s (a new shot).
    const result = score(repeat(12, good), { cuts: [4.5], gaps: [{ start: 2.7, end: 4.5 }] });
    expect(spans(result)).toEqual([[0, 2.7], [4.5, 6]]);
    // Held to the pictures, a segment can fall short of min_dur.
    const short = score([[], [], [], [], ...repeat(8, good)], { cuts: [4.5], gaps: [{ start: 2.7, end: 4.5 }] });
    expect(spans(short)).toEqual([[4.5, 6]]);
    expect(short.rejected).toEqual([expect.objectContaining({ start: 2, end: 2.7, reason: 'segment 0.70 s < min_dur 1' })]);
  });

  it('rejects segments shorter than min_dur and says so; an isolated detection never becomes a segment', () => {
    const result = score([[], [], [faceAt(400)], [], [], []]);
    expect(result.segments).toEqual([]);
    expect(result.rejected).toEqual([{ track: 0, scene: 0, start: 1, end: 1.5, reason: 'segment 0.50 s < min_dur 1' }]);
  });

  it('splits a segment longer than max_dur at its weakest sample, into parts of at least min_dur', () => {
    const yaws = [0, 0, 0, 0, 10, 0, 0, 40, 0, 0, 0, 0];
    const result = score(yaws.map((yaw) => [faceAt(100, { yaw })]), { params: { maxDur: 4 } });
    // The 40° sample at 3.5 s is left out of both parts.
    expect(spans(result)).toEqual([[0, 3.5], [4, 6]]);
  });

  it('splits evenly faced long segments near the middle, again and again until each part fits', () => {
    const result = score(repeat(24, good), { params: { maxDur: 5 } });
    for (const [start, end] of spans(result)) expect(end! - start!).toBeLessThanOrEqual(5);
    // 0-12 s splits at 6 s, then 0-6 s at 3 s.
    expect(spans(result)[0]).toEqual([0, 3]);
    expect(result.segments.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a max_dur that cannot be split into parts of min_dur', () => {
    expect(() => score(repeat(4, good), { params: { minDur: 2, maxDur: 4 } })).toThrow(/max_dur 4 s is too short/);
  });

  it('gives the reason of every rejected track', () => {
    const result = score([
      [faceAt(100, { box: [0, 0, 60, 60] }), faceAt(800, { yaw: 85 })],
      [faceAt(100, { box: [0, 0, 62, 62] }), faceAt(800, { yaw: 88 })],
      [faceAt(100, { box: [0, 0, 61, 61] }), faceAt(800, { yaw: 90, score: 0.3 })],
    ]);
    expect(result.rejected.map((r) => r.reason).sort()).toEqual([
      'no passing frame: median face 61 px < min_face 80',
      'no passing frame: median |yaw| 88° > max_yaw 75',
    ]);
  });
});

describe('identity filter', () => {
  const identity = { reference: person(0), threshold: 0.6 };

  it('keeps tracks whose mean embedding matches and rejects the others with their similarity', () => {
    const result = score(repeat(4, () => [faceAt(100, { embedding: person(0) }), faceAt(800, { embedding: person(1) })]), { identity });
    expect(result.segments.map((s) => s.tracks)).toEqual([[0]]);
    expect(result.segments[0]!.scores.identity).toBe(1);
    expect(result.rejected).toEqual([expect.objectContaining({ track: 1, reason: 'identity similarity 0.00 < identity_threshold 0.6' })]);
  });

  it('rejects tracks without embeddings and refuses references from another model', () => {
    expect(score(repeat(4, good), { identity }).rejected[0]!.reason).toBe('no embedding to compare with the identity reference');
    expect(() => score(repeat(4, () => [faceAt(100, { embedding: person(0, 4) })]), { identity })).toThrow(/different recognition models/);
  });
});

describe('segment ids', () => {
  it('are RFC 4122 version 5 UUIDs of the video hash and the time range', () => {
    // The RFC's DNS namespace example, as Python's uuid.uuid5(NAMESPACE_DNS, 'python.org') gives it.
    expect(uuid5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('886313e1-3b8a-5372-9b90-0c9aee199e5d');
    const id = segmentId('abc123', 0, 3);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(segmentId('abc123', 0, 3)).toBe(id);
    expect(segmentId('abc123', 0, 3.001)).not.toBe(id);
    expect(segmentId('abc124', 0, 3)).not.toBe(id);
    expect(score(repeat(6, good)).segments[0]!.id).toBe(id);
  });
});
