/**
 * The embedded default model pack: the face models of `@vladmandic/human` converted to ONNX once,
 * cached under `<cacheDir>/embedded-human-<version>-<hash>/`. The folder name derives from the
 * source files' hashes and the pack format, so another package version (or a change of the
 * literal conversion, which bumps PACK_FORMAT) converts afresh instead of reusing stale models.
 *
 * Each model is there twice. The literal conversion (one ONNX op per TF op) identifies the pack:
 * its bytes are what detect's key holds. Beside it, the form that runs: the same graph with a few
 * patterns written as onnxruntime runs them faster (src/faces/convert/rewrites.ts), which computes
 * the same output bits (test/embedded/parity.test.ts), as onnxruntime's own graph optimisations
 * change how a model runs and not what it is. A faster form therefore never re-runs detect; a
 * folder from before the faster forms gets them added on first use.
 */

import { createHash, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { convertTfjsFile, convertTfjsModel, type ConvertOptions } from '../convert/convert.ts';
import { readTfjsGraphModel } from '../convert/tfjs/model-json.ts';
import { locateSources, type ModelRole, type PackSources } from './sources.ts';

/** Bump when the literal conversion's output or the models' inputs/outputs below change. */
const PACK_FORMAT = 1;
/** Bump when the faster forms change (rewrites.ts, the PReLU form in ops.ts): their files get another name. */
const FASTER_FORMS = 1;

export interface EmbeddedPack {
  kind: 'embedded';
  dir: string;
  /** BlazeFace (256x256), outputs scores16/scores32 (logits) and boxes16/boxes32 (16 regressors per anchor); the form that runs. */
  detector: string;
  /** FaceMesh (192x192), outputs mesh (468 x y z in crop pixels) and faceflag (0..1); the form that runs. */
  mesh: string;
  /** FaceRes (224x224), output descriptor (1024 values); the form that runs. */
  descriptor: string;
  /** The literal conversions of the three, in a stable order: their contents identify the pack. */
  literal: string[];
  /** `@vladmandic/human@<version>`. */
  source: string;
  /** The package files the models were converted from. */
  sources: string[];
}

/** Image inputs are declared NCHW like the insightface models', so the pixel code of src/faces/onnx/image.ts applies. */
export const CONVERSIONS: Record<ModelRole, { file: string; options: ConvertOptions }> = {
  detector: {
    file: 'blazeface.onnx',
    options: {
      inputLayout: 'nchw',
      outputs: { scores16: 'Identity:0', scores32: 'Identity_1:0', boxes16: 'Identity_2:0', boxes32: 'Identity_3:0' },
    },
  },
  mesh: { file: 'facemesh.onnx', options: { inputLayout: 'nchw', outputs: { mesh: 'Identity_2:0', faceflag: 'Identity_1:0' } } },
  descriptor: { file: 'faceres.onnx', options: { inputLayout: 'nchw', outputs: { descriptor: 'global_pooling/Mean' } } },
};

const packs = new Map<string, Promise<EmbeddedPack>>();

/** The default cache folder of converted models. */
export function defaultModelCache(cwd = process.cwd()): string {
  return path.join(cwd, 'cache', 'models');
}

/** The embedded pack, converted into `cacheDir` on first use (about a second), found there afterwards. */
export function embeddedPack(cacheDir: string = defaultModelCache()): Promise<EmbeddedPack> {
  const resolved = path.resolve(cacheDir);
  let pending = packs.get(resolved);
  if (!pending) {
    pending = buildPack(resolved);
    packs.set(resolved, pending);
    pending.catch(() => packs.delete(resolved));
  }
  return pending;
}

/** The files whose contents identify the pack (as insightface's packFiles): the literal conversions. */
export function embeddedPackFiles(pack: EmbeddedPack): string[] {
  return pack.literal;
}

const ROLES = Object.keys(CONVERSIONS) as ModelRole[];

/** `facemesh.onnx` -> `facemesh.faster-1.onnx`. */
const fasterFile = (file: string) => file.replace(/\.onnx$/, `.faster-${FASTER_FORMS}.onnx`);

async function buildPack(cacheDir: string): Promise<EmbeddedPack> {
  const sources = await locateSources();
  const dir = path.join(cacheDir, packFolderName(sources));
  if (!existsSync(path.join(dir, 'pack.json'))) await convertInto(dir, sources);
  const literal = (role: ModelRole) => path.join(dir, CONVERSIONS[role].file);
  const running = Object.fromEntries(
    await Promise.all(ROLES.map(async (role) => [role, await addFasterForm(dir, role, sources).catch(() => literal(role))] as const)),
  ) as Record<ModelRole, string>;
  return {
    kind: 'embedded',
    dir,
    detector: running.detector,
    mesh: running.mesh,
    descriptor: running.descriptor,
    literal: ROLES.map(literal),
    source: `${sources.packageName}@${sources.version}`,
    sources: sources.files,
  };
}

/**
 * The faster form of a model, written beside its literal one when a folder converted before the
 * faster forms lacks it (through a temp file: two processes may do it at once). Where it cannot be
 * written (a read-only or full disk), buildPack runs the literal model: the same bits, slower.
 */
async function addFasterForm(dir: string, role: ModelRole, sources: PackSources): Promise<string> {
  const file = path.join(dir, fasterFile(CONVERSIONS[role].file));
  if (existsSync(file)) return file;
  const temp = `${file}.tmp-${process.pid}-${randomUUID()}`;
  try {
    await writeFile(temp, await convertTfjsFile(sources.models[role], { ...CONVERSIONS[role].options, metadata: conversionMetadata(role, sources) }), { mode: 0o644 });
    await rename(temp, file);
    return file;
  } finally {
    await rm(temp, { force: true });
  }
}

function conversionMetadata(role: ModelRole, sources: PackSources): Record<string, string> {
  return { converted_from: `${sources.packageName}@${sources.version}/models/${path.basename(sources.models[role])}` };
}

/** `embedded-human-<version>-<hash of the pack format and the source files' names and contents>`. */
export function packFolderName(sources: PackSources): string {
  const hash = createHash('sha256').update(`format ${PACK_FORMAT}\n`);
  sources.files.forEach((f, i) => hash.update(`${path.basename(f)} ${sources.hashes[i]}\n`));
  return `embedded-human-${sources.version}-${hash.digest('hex').slice(0, 16)}`;
}

/**
 * Converts into a temporary sibling folder and renames it into place, so a killed conversion never
 * leaves a half pack, and two processes converting at once both end up with one complete folder.
 */
async function convertInto(dir: string, sources: PackSources): Promise<void> {
  await mkdir(path.dirname(dir), { recursive: true });
  const temp = await mkdtemp(`${dir}.tmp-`);
  try {
    const provenance = {
      source: `${sources.packageName}@${sources.version}`,
      files: sources.files.map((f, i) => ({ file: path.relative(path.dirname(path.dirname(f)), f), sha256: sources.hashes[i] })),
    };
    for (const role of ROLES) {
      // Both forms from one read of the model: its weights are most of a conversion's time.
      const model = await readTfjsGraphModel(sources.models[role]);
      const { file, options } = CONVERSIONS[role];
      const metadata = conversionMetadata(role, sources);
      await writeFile(path.join(temp, file), convertTfjsModel(model, { ...options, literal: true, metadata }));
      await writeFile(path.join(temp, fasterFile(file)), convertTfjsModel(model, { ...options, metadata }));
    }
    await writeFile(path.join(temp, 'pack.json'), `${JSON.stringify({ format: PACK_FORMAT, ...provenance }, null, 2)}\n`);
    // mkdtemp makes the folder private; the cache is as readable as the rest of cache/.
    await chmod(temp, 0o755);
    await rename(temp, dir);
  } catch (error) {
    await rm(temp, { recursive: true, force: true });
    if (existsSync(path.join(dir, 'pack.json'))) return;
    throw error;
  }
}
