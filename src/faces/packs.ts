/**
 * The model packs detect and the identity filter run: `--models DIR` names an insightface pack
 * (buffalo_l, buffalo_s, ...), and the empty default is the embedded pack converted from
 * @vladmandic/human. Neither pack module loads onnxruntime: a pack's files are needed for detect's
 * key long before any inference.
 */

import path from 'node:path';
import { defaultModelCache, embeddedPack, embeddedPackFiles, type EmbeddedPack } from './embedded/pack.ts';
import { loadPack, packFiles, type InsightfacePack } from './insightface/pack.ts';
import type { AnalyzerOptions } from './insightface/analyzer.ts';
import type { FaceAnalyzer } from './types.ts';

/** A model pack of either family; `kind` says which. */
export type ModelPack = InsightfacePack | EmbeddedPack;

/**
 * `models` is a folder of insightface models, or '' for the embedded pack, converted once into
 * `<cacheDir>/models` (the build's cache folder; the working directory's ./cache by default).
 */
export async function resolvePack(models: string, cacheDir?: string): Promise<ModelPack> {
  if (models === '') {
    const modelCache = cacheDir === undefined ? defaultModelCache() : path.join(cacheDir, 'models');
    return embeddedPack(modelCache);
  }
  return loadPack(models);
}

/** The files whose contents identify the pack: they join detect's key. */
export function modelFiles(pack: ModelPack): string[] {
  return pack.kind === 'embedded' ? embeddedPackFiles(pack) : packFiles(pack);
}

/** How summary.json names the pack: no folder, since artifacts must not depend on where files live. */
export function packLabel(pack: ModelPack): string {
  if (pack.kind === 'embedded') return `embedded ${pack.source}`;
  return `insightface ${packFiles(pack).map((file) => path.basename(file)).join(' ')}`;
}

/** The insightface analyzer's options, less the NMS overlap: each family keeps its own default. */
export type PackAnalyzerOptions = Omit<AnalyzerOptions, 'nmsThreshold'>;

/** The pack's analyzer. Its module loads onnxruntime, so it is imported only here, where inference runs. */
export async function openFaceAnalyzer(pack: ModelPack, options: PackAnalyzerOptions): Promise<FaceAnalyzer> {
  if (pack.kind === 'embedded') return (await import('./embedded/analyzer.ts')).createEmbeddedAnalyzer(pack, options);
  return (await import('./insightface/analyzer.ts')).createInsightfaceAnalyzer(pack, options);
}
