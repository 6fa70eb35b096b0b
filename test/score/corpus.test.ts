/**
 * track + score on real detections of corpus clips (SCRFD-500M at 2 fps, 5-keypoint pose), with
 * the expectations of ../shared/corpus/MANIFEST.md.
 */
import { describe, expect, it } from 'vitest';
import { lacks, TEST_CORPUS, TEST_MODELS } from '../helpers/test-data.ts';
import { inputsOf, trackAndScore, type Inputs } from './fixtures.ts';

const cache = new Map<string, Promise<Inputs>>();
function inputs(video: string): Promise<Inputs> {
  let found = cache.get(video);
  if (!found) cache.set(video, (found = inputsOf(video, 'scrfd')));
  return found;
}

const MULTISHOT_CUTS = [4, 7, 11, 15, 18, 23, 27];

describe.skipIf(lacks([TEST_MODELS, TEST_CORPUS], 'track and score on corpus detections'))('track and score on corpus detections', () => {
  it('woman_frontal_static: one segment over the whole clip (0-9.4 s)', async () => {
    const { tracks, segments } = await trackAndScore(await inputs('woman_frontal_static_720p.mp4'));
    expect(tracks.tracks).toHaveLength(1);
    expect(segments.segments).toHaveLength(1);
    expect(segments.segments[0]!.start).toBeLessThanOrEqual(0.1);
    expect(segments.segments[0]!.end).toBeGreaterThan(9.3);
  });

  it('coffee_pour_noface: no segment', async () => {
    const { segments } = await trackAndScore(await inputs('coffee_pour_noface_720p.mp4'));
    expect(segments.segments).toEqual([]);
  });

  it('juggler_smallface: no segment, each track rejected for its small face', async () => {
    const { segments } = await trackAndScore(await inputs('juggler_smallface_720p_noaudio.mp4'));
    expect(segments.segments).toEqual([]);
    expect(segments.rejected.length).toBeGreaterThan(0);
    for (const rejection of segments.rejected) expect(rejection.reason).toMatch(/min_face 80/);
  });

  it('multishot_8shots: segments only inside the shots with usable faces, none across a cut', async () => {
    const { tracks, segments } = await trackAndScore(await inputs('multishot_8shots_1280x720_25fps.mp4'));
    const shots = [0, ...MULTISHOT_CUTS, 31];
    const shotOf = (t: number) => shots.findIndex((start, k) => t >= start - 0.01 && t < (shots[k + 1] ?? Infinity)) + 1;
    for (const track of tracks.tracks) expect(shotOf(track.start)).toBe(shotOf(track.end));
    for (const segment of segments.segments) {
      expect(shotOf(segment.start)).toBe(shotOf(segment.end - 0.01));
      expect([1, 3, 4, 6, 7, 8]).toContain(shotOf(segment.start));
    }
    const usable = new Set(segments.segments.map((s) => shotOf(s.start)));
    for (const shot of [1, 4, 6, 7, 8]) expect(usable).toContain(shot);
    // Every track that made no segment says why.
    for (const rejection of segments.rejected) expect(rejection.reason).not.toBe('');
  });

  it('woman_interview_threequarter: a strict yaw limit starts the segment later', async () => {
    const clip = await inputs('woman_interview_threequarter_720p.mp4');
    const startWith = async (maxYaw: number) => {
      const { segments } = await trackAndScore(clip, { max_yaw: maxYaw });
      expect(segments.segments).toHaveLength(1);
      return segments.segments[0]!.start;
    };
    const lenient = await startWith(75);
    expect(lenient).toBe(0);
    // 5-keypoint yaw reads her 3/4 view (~30° by eye) as 16-24° and the frontal rest as 13-16°
    // (docs/analysis/pose.md: kps5 under-reads turns of 20-40° by about 5°): 20° drops her strongest turn.
    const strict = await startWith(20);
    expect(strict).toBeGreaterThanOrEqual(0.5);
    expect(strict).toBeLessThanOrEqual(3);
  });
});
