/**
 * Where the embedded pack's models come from: the TensorFlow.js graph models shipped inside the
 * `@vladmandic/human` npm package (MIT), found in node_modules without a network.
 */

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';

export const SOURCE_PACKAGE = '@vladmandic/human';

/** The three models of the pack, by role; each a model.json with its weight shards beside it. */
export const SOURCE_MODELS = {
  detector: 'blazeface.json',
  mesh: 'facemesh.json',
  descriptor: 'faceres.json',
} as const;

export type ModelRole = keyof typeof SOURCE_MODELS;

export interface PackSources {
  packageName: string;
  version: string;
  /** model.json path of each role. */
  models: Record<ModelRole, string>;
  /** Every file read (model.json and weight shards), sorted: what the converted pack derives from. */
  files: string[];
  /** sha256 of each of `files`, same order. */
  hashes: string[];
}

export async function locateSources(): Promise<PackSources> {
  const root = packageRoot();
  const { version } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as { version: string };
  const models = Object.fromEntries(
    Object.entries(SOURCE_MODELS).map(([role, file]) => [role, path.join(root, 'models', file)]),
  ) as Record<ModelRole, string>;
  const files: string[] = [];
  for (const modelJson of Object.values(models)) {
    const { weightsManifest } = JSON.parse(await readFile(modelJson, 'utf8')) as { weightsManifest: { paths: string[] }[] };
    files.push(modelJson, ...weightsManifest.flatMap((g) => g.paths.map((p) => path.join(path.dirname(modelJson), p))));
  }
  files.sort();
  const hashes = await Promise.all(files.map(async (f) => createHash('sha256').update(await readFile(f)).digest('hex')));
  return { packageName: SOURCE_PACKAGE, version, models, files, hashes };
}

/**
 * The package folder. Its `exports` map hides package.json and models/ from require.resolve, so
 * the folder is looked up along Node's own node_modules search path instead.
 */
function packageRoot(): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(SOURCE_PACKAGE) ?? []) {
    const candidate = path.join(dir, SOURCE_PACKAGE);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`${SOURCE_PACKAGE} is not installed; it carries the default face models (npm install)`);
}
