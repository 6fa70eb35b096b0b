/**
 * The face models that embed identity references: the pack detect reads (`--models DIR`, or the
 * embedded pack when empty), so the reference and the detections' embeddings are comparable.
 * Loaded only when `--identity` is given.
 */

import { openFaceAnalyzer, resolvePack } from '../faces/packs.ts';
import type { FaceAnalyzer } from '../faces/types.ts';

/** A handful of reference pictures: one cpu thread, whatever the device detect uses. */
const REFERENCE_SESSION = { device: 'cpu', threads: 1, scoreThreshold: 0.5 } as const;

export async function openReferenceAnalyzer(models: string, cacheDir: string): Promise<FaceAnalyzer> {
  return openFaceAnalyzer(await resolvePack(models, cacheDir), { ...REFERENCE_SESSION, detSize: 640 });
}
