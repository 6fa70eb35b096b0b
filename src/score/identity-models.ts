/**
 * The face models that embed identity references: the pack detect reads (`--models DIR`, or the
 * embedded pack when empty), so the reference and the detections' embeddings are comparable.
 * Loaded only when `--identity` is given.
 */

import { openPackAnalyzer, resolvePack } from '../detect/model-pack.ts';
import type { FaceEmbedder } from './identity.ts';

/** A handful of reference pictures: one cpu thread, whatever the device detect uses. */
const REFERENCE_SESSION = { device: 'cpu', threads: 1, scoreThreshold: 0.5 } as const;

export async function openFaceEmbedder(models: string, cacheDir: string): Promise<FaceEmbedder> {
  return openPackAnalyzer(await resolvePack(models, cacheDir), { ...REFERENCE_SESSION, detSize: 640 });
}
