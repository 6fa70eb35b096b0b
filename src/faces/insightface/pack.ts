/**
 * Model packs: a folder of insightface models as roop-unleashed and FaceFusion keep them
 * (buffalo_l: det_10g.onnx, 1k3d68.onnx, w600k_r50.onnx, ...; buffalo_s/sc: det_500m.onnx,
 * w600k_mbf.onnx, ...). Only the files the analyzer uses belong to the pack, so adding an unused
 * model to the folder does not invalidate earlier detections.
 */

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface InsightfacePack {
  kind: 'insightface';
  dir: string;
  /** SCRFD detector (det_*.onnx or scrfd*.onnx). */
  detector: string;
  /** 68-point 3D landmarks for pose (1k3d68.onnx); without it pose is estimated from 5 keypoints. */
  landmark3d: string | null;
  /** ArcFace recognition model (w600k_*.onnx); without it faces carry no embedding. */
  recognition: string | null;
}

const DETECTOR = /^(det_.*|scrfd.*)\.onnx$/i;
const LANDMARK_3D = /^1k3d68\.onnx$/i;
const RECOGNITION = /^w600k_.*\.onnx$/i;

/**
 * Finds the pack's models in `dir`. With several detectors, det_* (the pack's own) wins over
 * scrfd*, then the alphabetically first, so the choice never depends on directory order.
 */
export async function loadPack(dir: string): Promise<InsightfacePack> {
  const absolute = path.resolve(dir);
  const names = await listFiles(absolute);
  const pick = (pattern: RegExp): string | null => {
    const matches = names.filter((n) => pattern.test(n)).sort(packOrder);
    return matches[0] ? path.join(absolute, matches[0]) : null;
  };
  const detector = pick(DETECTOR);
  if (!detector) throw new Error(await missingDetectorMessage(absolute, names));
  return { kind: 'insightface', dir: absolute, detector, landmark3d: pick(LANDMARK_3D), recognition: pick(RECOGNITION) };
}

/** The model files the analyzer reads, in a stable order: their contents identify the pack. */
export function packFiles(pack: InsightfacePack): string[] {
  return [pack.detector, pack.landmark3d, pack.recognition].filter((f): f is string => f !== null);
}

/** det_* files first (a pack's own detector beats a stray scrfd*), then by name. */
function packOrder(a: string, b: string): number {
  const rank = (name: string) => (name.toLowerCase().startsWith('det_') ? 0 : 1);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

async function listFiles(dir: string): Promise<string[]> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    throw new Error(`model folder ${dir} does not exist`);
  }
  if (!info.isDirectory()) throw new Error(`--models must name a folder of .onnx models; ${dir} is a file`);
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name);
}

async function missingDetectorMessage(dir: string, names: readonly string[]): Promise<string> {
  const found = names.length === 0 ? 'the folder is empty' : `found: ${[...names].sort().join(', ')}`;
  const nested = await subfoldersWithDetector(dir);
  const hint = nested.length > 0 ? `; did you mean ${nested.map((d) => path.join(dir, d)).join(' or ')}?` : '';
  return `no face detector in model folder ${dir}: expected det_*.onnx or scrfd*.onnx (e.g. det_10g.onnx of buffalo_l); ${found}${hint}`;
}

/** Unzipped packs often end up one folder deeper (buffalo_l/buffalo_l/...). */
async function subfoldersWithDetector(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const matches: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const inner = await readdir(path.join(dir, entry.name));
    if (inner.some((n) => DETECTOR.test(n))) matches.push(entry.name);
  }
  return matches;
}
