/**
 * The identity filter's reference: `--identity` names images, folders of images and roop-unleashed
 * face sets (`.fsz`: a zip of face images, `0.png`, `1.png`, ... as its face manager writes them),
 * comma-separated. Their faces are embedded with the same kind of model as the detections and
 * averaged, as roop-unleashed averages a face set.
 */

import { readdir, readFile, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeFrames } from '../media/decode.ts';
import { meanEmbedding } from '../track/embedding.ts';
import { boxArea } from '../track/geometry.ts';
import type { FaceAnalyzer, RgbFrame } from '../faces/types.ts';
import { readZip } from './zip.ts';

const IMAGE = /\.(png|jpe?g|webp|bmp|tiff?)$/i;
const FACE_SET = /\.fsz$/i;

async function expand(entry: string): Promise<string[]> {
  let info;
  try {
    info = await stat(entry);
  } catch {
    throw new Error(`identity reference ${entry} does not exist`);
  }
  if (!info.isDirectory()) {
    if (!IMAGE.test(entry) && !FACE_SET.test(entry)) throw new Error(`identity reference ${entry} is neither an image nor a .fsz face set`);
    return [entry];
  }
  const names = (await readdir(entry)).filter((n) => IMAGE.test(n) || FACE_SET.test(n)).sort();
  if (names.length === 0) throw new Error(`identity folder ${entry} holds no image or .fsz face set`);
  return names.map((n) => path.join(entry, n));
}

/** The reference files `spec` names, absolute and in a stable order: their contents join score's key. */
export async function identityFiles(spec: string): Promise<string[]> {
  const entries = spec.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const files = await Promise.all(entries.map((e) => expand(path.resolve(e))));
  return [...new Set(files.flat())];
}

async function firstFrame(file: string): Promise<RgbFrame> {
  for await (const frame of decodeFrames(file, { pixFmt: 'rgb24' })) return { width: frame.width, height: frame.height, data: frame.data };
  throw new Error(`identity reference ${file}: no picture decoded`);
}

/** The pictures of one reference file; a face set's images pass through a temp folder for ffmpeg. */
async function pictures(file: string): Promise<{ name: string; frame: RgbFrame }[]> {
  if (!FACE_SET.test(file)) return [{ name: file, frame: await firstFrame(file) }];
  const images = readZip(await readFile(file)).filter((e) => IMAGE.test(e.name));
  if (images.length === 0) throw new Error(`face set ${file} holds no image`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-fsz-'));
  try {
    const out: { name: string; frame: RgbFrame }[] = [];
    for (const [k, image] of images.entries()) {
      const temp = path.join(dir, `${k}${path.extname(image.name)}`);
      await writeFile(temp, image.data);
      out.push({ name: `${file}:${image.name}`, frame: await firstFrame(temp) });
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The mean embedding of the largest face of every reference picture. Pictures without a face are
 * reported through `log` and skipped (a face set may hold a poor crop); none at all is an error.
 */
export async function referenceEmbedding(files: readonly string[], analyzer: Pick<FaceAnalyzer, 'detect'>, log: (m: string) => void): Promise<Float32Array> {
  const embeddings: Float32Array[] = [];
  for (const file of files) {
    for (const { name, frame } of await pictures(file)) {
      const [faces = []] = await analyzer.detect([frame]);
      const largest = [...faces].sort((a, b) => boxArea(b.box) - boxArea(a.box))[0];
      if (!largest) log(`identity: no face found in ${name}; skipped`);
      else if (!largest.embedding) throw new Error('the model pack has no recognition model: --identity needs face embeddings');
      else embeddings.push(largest.embedding);
    }
  }
  const mean = meanEmbedding(embeddings);
  if (!mean) throw new Error(`identity: no face found in ${files.join(', ')}`);
  return mean;
}
