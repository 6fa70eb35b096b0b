/**
 * Detect's pipeline for one video: decode the sampled frames (after the journal's last line when
 * an earlier run was killed), hand them in batches to an analysis thread, and append each frame's
 * faces to the journal in order while the next batch decodes.
 */

import type { SharedSource } from '../engine/rule.ts';
import { decodeFrames, type Frame } from '../media/decode.ts';
import { decodeShared } from '../media/shared-decode.ts';
import type { AnalysisSettings, FrameOutcome } from './analysis-protocol.ts';
import { isErrorLine, type DetectionLine } from './records.ts';
import { expectedSamples, resumePoint, sampleIndex, type ResumePoint } from './sampling.ts';

/** Batches handed to the worker before the oldest is awaited: one analysed, one waiting. */
const BATCHES_IN_FLIGHT = 2;

/** The journal of detections.jsonl, as the engine's `ctx.journal` gives it. */
export interface DetectionJournal {
  readonly existing: readonly DetectionLine[];
  append(line: DetectionLine): Promise<void>;
  restart(): Promise<void>;
}

export interface VideoAnalysis {
  file: string;
  /** Frames sampled per second of video. */
  fps: number;
  settings: AnalysisSettings;
  journal: DetectionJournal;
  /**
   * The decode this build may share with others of the video (ctx.sharedSource, under the rule's
   * name). A resumed decode starts midway and goes alone.
   */
  sharedSource?: { source: SharedSource; member: string };
  /** Seconds of video, for the progress total; null when unknown (progress then has none). */
  durationSec: number | null;
  signal: AbortSignal;
  log(message: string): void;
  progress(done: number, total: number, unit: string): void;
}

/** Counts over the whole journal. */
export interface Tally {
  lines: number;
  faces: number;
  errors: number;
}

export interface AnalysisResult {
  done: Tally;
  /** The execution provider that ran the models. */
  provider: string;
  /** Journal lines kept from an earlier run (0 when it started over). */
  resumedFrom: number;
}

/** Device notices already told in this process: every video would repeat the same one. */
const toldNotices = new Set<string>();

/**
 * Analyses the frames the journal lacks. A journal the decoder cannot continue (its first frame
 * is not the last journalled one) is started over once: failing on every run would keep the
 * video stuck behind its own journal.
 */
export async function analyseVideo(job: VideoAnalysis): Promise<AnalysisResult> {
  const kept = job.journal.existing.length;
  try {
    return { ...(await analyseRest(job)), resumedFrom: kept };
  } catch (error) {
    if (!(error instanceof CannotResumeError)) throw error;
    job.log(`${error.message}; starting over`);
    await job.journal.restart();
    // The shared source was left by the resumed attempt: the decode from the start goes alone.
    const { sharedSource: _left, ...alone } = job;
    return { ...(await analyseRest(alone)), resumedFrom: 0 };
  }
}

/** The decoder does not land on the journal's last frame: the journal cannot be continued. */
class CannotResumeError extends Error {}

async function analyseRest(job: VideoAnalysis): Promise<{ done: Tally; provider: string }> {
  const { journal, settings, fps } = job;
  // Imported here: the analysis thread finds its worker module through import.meta.resolve,
  // which the loader of pipeline.config.ts (the modules the rules import with it) does not provide.
  const { borrowAnalysisThread, returnAnalysisThread } = await import('./thread-pool.ts');
  const thread = await borrowAnalysisThread(settings);
  let finished = false;
  const done: Tally = { lines: 0, faces: 0, errors: 0 };
  journal.existing.forEach((line) => count(done, line));
  try {
    const { info } = thread;
    for (const message of [...info.notices, ...info.notes]) {
      // Each model of a pack may say the same thing: once is enough.
      if (toldNotices.has(message)) continue;
      toldNotices.add(message);
      job.log(message);
    }
    const total = job.durationSec === null ? 0 : Math.max(expectedSamples(job.durationSec, fps), done.lines);
    const resume = resumePoint(journal.existing);
    let firstTime = resume?.firstTime ?? null;
    let previous = resume?.lastIndex ?? null;
    const inFlight: { frames: SampledFrame[]; outcomes: Promise<FrameOutcome[]> }[] = [];
    const journalOldest = async () => {
      const { frames, outcomes } = inFlight.shift()!;
      const results = await outcomes;
      for (const [k, frame] of frames.entries()) {
        const line = lineOf(frame, results[k]!);
        await journal.append(line);
        count(done, line);
      }
      job.progress(done.lines, Math.max(total, done.lines), 'frames');
    };
    for await (const batch of inBatches(framesToAnalyse(job, resume), settings.batchSize)) {
      const frames = batch.map((frame): SampledFrame => {
        firstTime ??= frame.time;
        previous = sampleIndex(frame.time, firstTime, fps, previous);
        return { t: frame.time, i: previous, w: frame.width, h: frame.height };
      });
      const outcomes = thread.analyse(batch);
      // Awaited in order below; a failure elsewhere must not leave it unhandled meanwhile.
      outcomes.catch(() => undefined);
      inFlight.push({ frames, outcomes });
      if (inFlight.length === BATCHES_IN_FLIGHT) await journalOldest();
    }
    while (inFlight.length > 0) await journalOldest();
    finished = true;
    return { done, provider: info.provider };
  } finally {
    // A thread left with batches in flight (an error, an abort) would hold up the next video.
    await (finished ? returnAnalysisThread(settings, thread) : thread.close());
  }
}

/**
 * The sampled frames still to analyse. A resumed decode starts at the last journalled frame and
 * drops it (see sampling.ts for why it must start exactly there).
 */
async function* framesToAnalyse(job: VideoAnalysis, resume: ResumePoint | null): AsyncGenerator<Frame> {
  const frames = await decoder(job, resume);
  let first = true;
  for await (const frame of frames) {
    if (first && resume) {
      first = false;
      if (frame.time !== resume.start) {
        throw new CannotResumeError(`cannot resume detections: the decoder's first frame after ${resume.start}s is at ${frame.time}s, not the last journalled one`);
      }
      continue;
    }
    first = false;
    yield frame;
  }
}

/** The decode of the frames from `resume` on: shared when it starts at the start and a source is offered. */
async function decoder(job: VideoAnalysis, resume: ResumePoint | null): Promise<AsyncGenerator<Frame>> {
  const opts = { fps: job.fps, pixFmt: 'rgb24' as const, signal: job.signal };
  if (resume) {
    job.sharedSource?.source.leave();
    return decodeFrames(job.file, { ...opts, start: resume.start });
  }
  const { source, member } = job.sharedSource ?? {};
  const decode = await decodeShared(source, member ?? '', job.file, opts);
  if (decode.sharedWith.length > 0) job.log(`decoding in one ffmpeg with ${decode.sharedWith.join(', ')}`);
  return decode.frames;
}

async function* inBatches(frames: AsyncIterable<Frame>, size: number): AsyncGenerator<Frame[]> {
  let batch: Frame[] = [];
  for await (const frame of frames) {
    batch.push(frame);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

function count(tally: Tally, line: DetectionLine): void {
  tally.lines++;
  if (isErrorLine(line)) tally.errors++;
  else tally.faces += line.faces.length;
}

interface SampledFrame {
  t: number;
  i: number;
  w: number;
  h: number;
}

function lineOf(frame: SampledFrame, outcome: FrameOutcome): DetectionLine {
  return 'error' in outcome ? { t: frame.t, i: frame.i, error: outcome.error } : { ...frame, faces: outcome.faces };
}
