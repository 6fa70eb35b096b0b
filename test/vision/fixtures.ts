/** What the vision tests build from the test data (test/helpers/test-data.ts). */

import { existsSync } from 'node:fs';
import { mkdtemp, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { decodeFrames } from '../../src/media/decode.ts';
import type { RgbFrame } from '../../src/faces/types.ts';
import { corpusVideo, SCRFD_MODEL } from '../helpers/test-data.ts';

export { corpusVideo, SCRFD_MODEL };

/** The first frame at or after `time` seconds of the file's timeline. */
export async function frameAt(video: string, time: number): Promise<RgbFrame> {
  for await (const frame of decodeFrames(corpusVideo(video), { start: time, pixFmt: 'rgb24' })) return frame;
  throw new Error(`${video} has no frame at ${time}s`);
}

/** A fresh folder holding the SCRFD model under each of `names`: the only real model there is here. */
export async function folderOfScrfd(names: readonly string[]): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-pack-'));
  for (const name of names) await symlink(SCRFD_MODEL, path.join(dir, name));
  return dir;
}

/** Whether onnxruntime-node's CUDA provider was installed (docs/gpu.md); fallback tests need it absent. */
export const cudaProviderInstalled = existsSync(
  path.join(
    path.dirname(createRequire(import.meta.url).resolve('onnxruntime-node')),
    '..', 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so',
  ),
);
