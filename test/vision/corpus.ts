/** Paths of the shared test data and frames decoded from the corpus videos. */

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrames } from '../../src/media/decode.ts';
import type { RgbFrame } from '../../src/vision/types.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** insightface's SCRFD-500M with keypoints, kept beside the repository (see ../shared/models/MANIFEST.md). */
export const SCRFD_MODEL = path.resolve(repoRoot, '../shared/models/scrfd_500m_bnkps.onnx');

export function corpusVideo(name: string): string {
  return path.resolve(repoRoot, '../shared/corpus/videos', name);
}

/** The first frame at or after `time` seconds of the file's timeline. */
export async function frameAt(video: string, time: number): Promise<RgbFrame> {
  for await (const frame of decodeFrames(corpusVideo(video), { start: time, pixFmt: 'rgb24' })) return frame;
  throw new Error(`${video} has no frame at ${time}s`);
}
