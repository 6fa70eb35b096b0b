/** Synthetic test videos made with ffmpeg's lavfi sources, and the corpus paths (test/helpers/test-data.ts). */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ffmpegEncoders, runTool } from '../../src/media/ffmpeg.ts';
import { CORPUS_VIDEOS, corpusVideo } from '../helpers/test-data.ts';

export const CORPUS = CORPUS_VIDEOS;
export const corpus = corpusVideo;

/** A name that breaks any shell-string or naive escaping: spaces, quotes, $(), unicode. */
export const HOSTILE_NAME = `it's a "clip" $(touch pwned) ünïcödé 視頻`;

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-media-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs ffmpeg with `args` (inputs, codecs) writing `out`; returns `out`. */
export async function ffmpeg(out: string, args: string[]): Promise<string> {
  await runTool('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args, out], out);
  return out;
}

export async function hasEncoder(name: string): Promise<boolean> {
  return (await ffmpegEncoders()).has(name);
}

/** A small test pattern with a tone: `-f lavfi` inputs for `seconds` at `fps`. */
export function lavfiInputs(seconds: number, fps = 25, size = '160x120'): string[] {
  return ['-f', 'lavfi', '-i', `testsrc=s=${size}:r=${fps}:d=${seconds}`, '-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${seconds}`];
}

export const X264_FAST = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
