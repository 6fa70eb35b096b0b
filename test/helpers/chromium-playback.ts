/**
 * Video files played as a user's browser plays them: headless Chromium loads each into a
 * `<video>`, reads its duration and seeks, and says what the element reported. Every step waits
 * on the element's own events (a busy machine only makes them later); a timeout per step is
 * there only so that a file that never answers fails with a reason instead of hanging the test.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ElementHandle } from 'playwright-core';
import { launchChromium } from '../report/chromium.ts';
import { scaled } from './time-limits.ts';

export const PLAYBACK_TIMEOUT_MS = scaled(60_000);

export interface Playback {
  /** The element's duration once its metadata loaded; NaN when it never did. */
  duration: number;
  /** `currentTime` once each requested seek fired `seeked`, in request order. */
  seeked: number[];
  /** The presentation time of the frame shown after each seek (requestVideoFrameCallback's `mediaTime`): the frame the seek decoded. */
  frames: number[];
  /** `code N: message` of the element's MediaError, or the step that never finished; null when all went through. */
  error: string | null;
}

export interface ClipPlayback extends Playback {
  file: string;
}

type Step = { kind: 'load' } | { kind: 'seek'; time: number };

interface StepResult {
  duration: number;
  currentTime: number;
  frameTime: number | null;
  error: string | null;
}

/**
 * Runs in the page, so it may use nothing from this module. A load ends on `loadedmetadata` and
 * the first frame presented; a seek ends once it fired `seeked` and a decoded frame was presented.
 */
function runStep(video: HTMLVideoElement, { step, timeoutMs }: { step: Step; timeoutMs: number }): Promise<StepResult> {
  return new Promise((resolve) => {
    let frameTime: number | null = null;
    const settle = (error: string | null) => {
      clearTimeout(timer);
      video.removeEventListener('error', onError);
      resolve({ duration: video.duration, currentTime: video.currentTime, frameTime, error });
    };
    const onError = () => settle(`code ${video.error?.code}: ${video.error?.message || 'no message'}`);
    /** Settles once `event` fired and a frame was presented, in either order. */
    const settleOnEventAndFrame = (event: 'loadedmetadata' | 'seeked') => {
      let fired = false;
      const settleWhenBoth = () => {
        if (fired && frameTime !== null) settle(null);
      };
      video.addEventListener(
        event,
        () => {
          fired = true;
          settleWhenBoth();
        },
        { once: true },
      );
      video.requestVideoFrameCallback((_now, frame) => {
        frameTime = frame.mediaTime;
        settleWhenBoth();
      });
    };
    const waitingFor = step.kind === 'load' ? 'loadedmetadata and a first frame shown' : `seeked and a decoded frame at ${step.time} s`;
    const timer = setTimeout(() => settle(`no ${waitingFor} within ${timeoutMs} ms`), timeoutMs);
    video.addEventListener('error', onError, { once: true });
    if (step.kind === 'load') {
      // A card's player is preload="none": load() alone would stop before the metadata.
      video.preload = 'auto';
      video.load();
      // The first frame must be on screen too: shown later, its callback would answer the first
      // seek with the wrong frame.
      settleOnEventAndFrame('loadedmetadata');
      return;
    }
    // An error that came after the load, while nothing was listening.
    if (video.error) return onError();
    settleOnEventAndFrame('seeked');
    video.currentTime = step.time;
  });
}

/**
 * Loads the element's source (its `src` as the page has it) and seeks to each time `seeks`
 * asks for once the duration is known and the first frame is shown. Stops at the first error. A
 * seek to the frame the element already shows may present no new frame, and would wait for one
 * until its timeout: seek elsewhere before seeking to 0.
 */
export async function playVideo(
  video: ElementHandle<HTMLVideoElement>,
  seeks: (duration: number) => readonly number[] = () => [],
  timeoutMs = PLAYBACK_TIMEOUT_MS,
): Promise<Playback> {
  const run = (step: Step) => video.evaluate(runStep, { step, timeoutMs });
  const loaded = await run({ kind: 'load' });
  const playback: Playback = { duration: loaded.error ? NaN : loaded.duration, seeked: [], frames: [], error: loaded.error };
  if (playback.error) return playback;
  for (const time of seeks(playback.duration)) {
    const result = await run({ kind: 'seek', time });
    if (result.error) return { ...playback, error: result.error };
    playback.seeked.push(result.currentTime);
    playback.frames.push(result.frameTime!);
  }
  return playback;
}

/**
 * Plays each file in turn in one `<video>` of a page opened from disk (file://, as the report is),
 * seeking to the times `seeks` returns for it.
 */
export async function playClips(
  files: readonly string[],
  seeks: (file: string, duration: number) => readonly number[] = () => [],
  timeoutMs = PLAYBACK_TIMEOUT_MS,
): Promise<ClipPlayback[]> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-playback-'));
  const { context, close } = await launchChromium();
  try {
    const pageFile = path.join(dir, 'player.html');
    await writeFile(pageFile, '<!doctype html><meta charset="utf-8"><video muted></video>');
    const page = await context.newPage();
    await page.goto(pathToFileURL(pageFile).href);
    const video = (await page.$('video')) as ElementHandle<HTMLVideoElement>;
    const results: ClipPlayback[] = [];
    for (const file of files) {
      await video.evaluate((element, src) => element.setAttribute('src', src), pathToFileURL(file).href);
      results.push({ file, ...(await playVideo(video, (duration) => seeks(file, duration), timeoutMs)) });
    }
    return results;
  } finally {
    await close();
    await rm(dir, { recursive: true, force: true });
  }
}
