/** What the pose benches share: the corpus, its frontal clips, their sampled frames and speakers, the two analyzers. */

import { mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFrames, type Frame } from '../../src/media/decode.ts';
import { createEmbeddedAnalyzer, type EmbeddedAnalyzerOptions } from '../../src/faces/embedded/analyzer.ts';
import { embeddedPack } from '../../src/faces/embedded/pack.ts';
import { createInsightfaceAnalyzer, loadPack } from '../../src/faces/index.ts';
import type { Box } from '../../src/faces/types.ts';
import { requireData, TEST_CORPUS, TEST_MODELS } from '../../test/helpers/test-data.ts';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VIDEOS = path.join(requireData(TEST_CORPUS), 'videos');

/**
 * One person each, speaking into the camera (MANIFEST.md: "frontal"); four different faces.
 * bench/canonical-face.ts builds the canonical face from them: pitch 0 is their mean attitude.
 */
export const FRONTAL_CLIPS = [
  'woman_frontal_static_720p.mp4',
  'congresswoman_address_mpeg4_512.mp4',
  'man_selfie_vertical_720x1280_noaudio.mp4',
  'woman_closeup_grimaces_480x480_33s.mp4',
];

/** Every frame of a corpus clip at `fps` samples per second, as detect samples them. */
export async function sampledFrames(clip: string, fps: number): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of decodeFrames(path.join(VIDEOS, clip), { fps, pixFmt: 'rgb24' })) frames.push(frame);
  return frames;
}

/** The tallest face of a frame: the speaker, not a face in the background. */
export function largestFace<F extends { box: Box }>(faces: readonly F[]): F | undefined {
  return [...faces].sort((a, b) => b.box[3] - b.box[1] - (a.box[3] - a.box[1]))[0];
}

const SESSION = { device: 'cpu', threads: 2 } as const;

let modelCache: Promise<string> | undefined;

/** The embedded pack, converted once per run into a fresh temporary cache. */
export async function openEmbedded(scoreThreshold: number, options: Partial<EmbeddedAnalyzerOptions> = {}) {
  modelCache ??= mkdtemp(path.join(os.tmpdir(), 'vbuild-pose-models-'));
  const pack = await embeddedPack(await modelCache);
  return createEmbeddedAnalyzer(pack, { ...SESSION, scoreThreshold, ...options });
}

/** SCRFD-500M with keypoints (VBUILD_TEST_MODELS), at 640x640, without a landmark model: poses are kps5. */
export async function openScrfd(scoreThreshold: number) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-pose-scrfd-'));
  await symlink(path.join(requireData(TEST_MODELS), 'scrfd_500m_bnkps.onnx'), path.join(dir, 'det_500m.onnx'));
  return createInsightfaceAnalyzer(await loadPack(dir), { ...SESSION, detSize: 640, scoreThreshold });
}
