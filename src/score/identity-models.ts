/**
 * The face models that embed identity references: the pack detect reads (`--models DIR`, or the
 * embedded pack when empty), so the reference and the detections' embeddings are comparable.
 * Loaded only when `--identity` is given.
 */

import { createEmbeddedAnalyzer } from '../models/embedded/analyzer.ts';
import { embeddedPack, embeddedPackFiles } from '../models/embedded/pack.ts';
import { createAnalyzer, loadPack, packFiles } from '../vision/index.ts';
import type { FaceEmbedder } from './identity.ts';

/** A handful of reference pictures: one cpu thread, whatever the device detect uses. */
const REFERENCE_SESSION = { device: 'cpu', threads: 1, scoreThreshold: 0.5 } as const;

export async function openFaceEmbedder(models: string): Promise<FaceEmbedder> {
  if (models === '') return createEmbeddedAnalyzer(await embeddedPack(), REFERENCE_SESSION);
  return createAnalyzer(await loadPack(models), { ...REFERENCE_SESSION, detSize: 640 });
}

/** The model files whose content decides the reference embedding. */
export async function embedderFiles(models: string): Promise<string[]> {
  return models === '' ? embeddedPackFiles(await embeddedPack()) : packFiles(await loadPack(models));
}
