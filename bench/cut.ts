/**
 * Seconds per clip when cutting 20 clips from one video: one ffmpeg process for all of them
 * (cutClips) against one process per clip.
 *
 *   npx tsx bench/cut.ts
 *
 * Sources: the corpus' Tears of Steel WebM (its hard cuts are keyframes) and a generated
 * 720p30 H.264 MP4 with a keyframe every 2 s. Baselines, both one process per clip:
 * - "ffmpeg per clip": the classic `ffmpeg -ss S -i src -t D -c copy` loop, no probing (and
 *   not boundary-safe: it is only the cost floor of the per-clip approach);
 * - "cutClips per clip": the safe cutter called once per clip (its ffprobe calls included).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ffmpegPerClip, generateGopVideo } from './lib/clips.ts';
import { medianSeconds } from './lib/rounds.ts';
import { cutClips, type ClipRequest } from '../src/media/cut.ts';
import { locate } from '../src/media/ffmpeg.ts';
import { probe } from '../src/media/probe.ts';

const CLIPS = 20;
const ROUNDS = 3;
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEBM = path.resolve(REPO, '../shared/corpus/videos/tears_of_steel_battle_cuts_800x332.webm');

interface Source {
  name: string;
  file: string;
  clips: ClipRequest[];
}

/** 20 clips, each from one keyframe to just before the next, so that all of them are cuttable. */
async function clipsBetweenKeyframes(file: string): Promise<ClipRequest[]> {
  const { keyframes, durationSec } = await probe(file);
  const bounds = [...keyframes, durationSec];
  if (bounds.length <= CLIPS) throw new Error(`${file} has fewer than ${CLIPS} keyframes`);
  return Array.from({ length: CLIPS }, (_, i) => ({ id: `clip${i}`, start: bounds[i]!, end: bounds[i + 1]! - 0.05 }));
}

async function cutClipsPerClip(source: Source, out: string): Promise<void> {
  for (const clip of source.clips) await cutClips(source.file, [clip], out, {});
}

async function cutClipsOnce(source: Source, out: string): Promise<void> {
  const results = await cutClips(source.file, source.clips, out, {});
  const skipped = results.filter((clip) => clip.skipped);
  if (skipped.length) throw new Error(`unexpectedly skipped: ${skipped.map((clip) => clip.id).join(', ')}`);
}

const METHODS = [
  ['ffmpeg per clip (baseline)', (source: Source, out: string) => ffmpegPerClip(source.file, source.clips, out)],
  ['cutClips per clip', cutClipsPerClip],
  ['cutClips, one process per video', cutClipsOnce],
] as const;


async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'vbuild-bench-cut-'));
  try {
    const mp4 = await generateGopVideo(scratch, CLIPS);
    const sources: Source[] = [
      { name: 'tears_of_steel 800x332 VP8 WebM', file: WEBM, clips: await clipsBetweenKeyframes(WEBM) },
      { name: 'synthetic 1280x720 H.264 MP4', file: mp4, clips: await clipsBetweenKeyframes(mp4) },
    ];
    const cpus = os.cpus();
    console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores; node ${process.version}`);
    console.log(`ffmpeg: ${locate('ffmpeg').path}; ${CLIPS} clips per video, median of ${ROUNDS} rounds\n`);
    console.log('| source | method | s per clip | total s | vs baseline |');
    console.log('|---|---|---:|---:|---:|');
    for (const source of sources) {
      let baseline = 0;
      for (const [method, run] of METHODS) {
        const total = await medianSeconds(ROUNDS, scratch, (out) => run(source, out));
        baseline ||= total;
        const ratio = total / baseline;
        console.log(
          `| ${source.name} | ${method} | ${(total / CLIPS).toFixed(4)} | ${total.toFixed(3)} | ${ratio.toFixed(2)}x time (${(1 / ratio).toFixed(1)}x faster) |`,
        );
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
