/** The Chromium playback helper on files made here: a clip that plays and seeks, and one that is not a video. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { playClips } from '../helpers/chromium-playback.ts';
import { X264_FAST, ffmpeg, lavfiInputs, tempDir } from '../media/media-fixtures.ts';
import { CHROMIUM, hasChromium } from './chromium.ts';

const FPS = 25;
const SECONDS = 4;
const FRAME = 1 / FPS;

describe.skipIf(!hasChromium)(hasChromium ? 'playing clips in headless Chromium' : `playing clips in headless Chromium: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium)`, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let clip: string;
  let notAVideo: string;

  beforeAll(async () => {
    dir = await tempDir();
    // Keyframes every second: seeks between them must decode from the one before.
    clip = await ffmpeg(path.join(dir.dir, 'a clip #1.mp4'), [...lavfiInputs(SECONDS, FPS), ...X264_FAST, '-g', String(FPS), '-c:a', 'aac']);
    notAVideo = path.join(dir.dir, 'not a video.mp4');
    await writeFile(notAVideo, 'this is text');
  });
  afterAll(() => dir.remove());

  it('reads the duration, lands each seek on the frame shown at that time, and reports a file it cannot play', async () => {
    // Not 0 first: the loaded element may already show that frame (see playVideo).
    const seekTimes = (duration: number) => [1.5, 0, 2.02, duration - FRAME / 2];
    const [played, failed] = await playClips([clip, notAVideo], (_file, duration) => seekTimes(duration));

    expect(played!.error).toBeNull();
    expect(played!.duration).toBeCloseTo(SECONDS, 1);
    expect(played!.seeked).toEqual(seekTimes(played!.duration));
    // The frame shown is the one whose display interval holds the seek time.
    const frameStarts = seekTimes(played!.duration).map((time) => Math.floor(time / FRAME + 1e-6) * FRAME);
    played!.frames.forEach((frameTime, i) => expect(frameTime).toBeCloseTo(frameStarts[i]!, 3));

    expect(failed).toMatchObject({ file: notAVideo, seeked: [], frames: [], error: expect.stringMatching(/^code 4: /) });
    expect(failed!.duration).toBeNaN();
  });
});
