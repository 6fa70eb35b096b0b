/**
 * The model pack detect runs: `--models DIR` names an insightface pack (buffalo_l, buffalo_s, ...),
 * and the empty default is the embedded pack converted from @vladmandic/human. Neither module
 * loads onnxruntime: the pack's files are needed for detect's key long before any inference.
 */

import path from 'node:path';
import { defaultModelCache, embeddedPack, embeddedPackFiles, type EmbeddedPack } from '../models/embedded/pack.ts';
import { loadPack, packFiles, type ModelPack } from '../vision/pack.ts';
import type { AnalyzerOptions } from '../vision/analyzer.ts';

export type PackRef = { kind: 'insightface'; pack: ModelPack } | { kind: 'embedded'; pack: EmbeddedPack };

/**
 * `models` is a folder of insightface models, or '' for the embedded pack, converted once into
 * `<cacheDir>/models` (the build's cache folder; the working directory's ./cache by default).
 */
export async function resolvePack(models: string, cacheDir?: string): Promise<PackRef> {
  if (models === '') {
    const modelCache = cacheDir === undefined ? defaultModelCache() : path.join(cacheDir, 'models');
    return { kind: 'embedded', pack: await embeddedPack(modelCache) };
  }
  return { kind: 'insightface', pack: await loadPack(models) };
}

/** The files whose contents identify the pack: they join detect's key. */
export function modelFiles(ref: PackRef): string[] {
  return ref.kind === 'embedded' ? embeddedPackFiles(ref.pack) : packFiles(ref.pack);
}

/** How summary.json names the pack: no folder, since artifacts must not depend on where files live. */
export function packLabel(ref: PackRef): string {
  if (ref.kind === 'embedded') return `embedded ${ref.pack.source}`;
  return `insightface ${packFiles(ref.pack).map((file) => path.basename(file)).join(' ')}`;
}

/** The insightface analyzer's options, less the NMS overlap: each pack keeps its own default. */
export type PackAnalyzerOptions = Omit<AnalyzerOptions, 'nmsThreshold'>;

/** The pack's analyzer. Its module loads onnxruntime, so it is imported only here, where inference runs. */
export async function openPackAnalyzer(ref: PackRef, options: PackAnalyzerOptions) {
  if (ref.kind === 'embedded') return (await import('../models/embedded/analyzer.ts')).createEmbeddedAnalyzer(ref.pack, options);
  return (await import('../vision/analyzer.ts')).createAnalyzer(ref.pack, options);
}

