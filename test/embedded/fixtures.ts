/** Data of the embedded-pack tests: corpus frames, the SCRFD model, a freshly converted pack. */

import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrames } from '../../src/media/decode.ts';
import { embeddedPack, type EmbeddedPack } from '../../src/faces/embedded/pack.ts';
import type { RgbFrame } from '../../src/faces/types.ts';
import { corpusVideo } from '../helpers/test-data.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const HUMAN_MODELS = path.resolve(repoRoot, 'node_modules/@vladmandic/human/models');

export { corpusVideo };

/** The first frame at or after `time` seconds. */
export async function frameAt(video: string, time: number): Promise<RgbFrame> {
  for await (const frame of decodeFrames(corpusVideo(video), { start: time, pixFmt: 'rgb24' })) return frame;
  throw new Error(`${video} has no frame at ${time}s`);
}

/** The embedded pack converted into a fresh temporary cache (about a second). */
export async function freshPack(): Promise<EmbeddedPack> {
  return embeddedPack(await mkdtemp(path.join(os.tmpdir(), 'vbuild-embedded-')));
}
