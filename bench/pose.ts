/**
 * Head pose against faces labelled by eye (docs/analysis/pose-labels.json), for the embedded pack
 * (FaceMesh) and for SCRFD-500M's 5 keypoints, and the false faces of the embedded pack on the
 * corpus's no-face clips. Every labelled face is also measured mirrored (the frame flipped, the
 * label negated). Prints the saturation angle each source's fit half asks for (the constants in
 * src/faces/embedded/mesh.ts and src/faces/insightface/pose.ts), then the acceptance table per half.
 *
 *   npx tsx bench/pose.ts
 */

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeFrames } from '../src/media/decode.ts';
import type { EmbeddedFace } from '../src/faces/embedded/analyzer.ts';
import { MESH_SATURATION } from '../src/faces/embedded/mesh.ts';
import { CANONICAL_KPS5, CANONICAL_MESH } from '../src/faces/pose/canonical-face.ts';
import type { Box, Face, FaceAnalyzer, RgbFrame } from '../src/faces/index.ts';
import { KPS5_SATURATION } from '../src/faces/insightface/pose.ts';
import { mirrored } from '../src/faces/onnx/image.ts';
import { calibratedAngles } from '../src/faces/pose/pose-calibration.ts';
import { fitOrthographic, fitRigid3d, rotationToPose } from '../src/faces/pose/pose-math.ts';
import { FRONTAL_CLIPS, largestFace, openEmbedded, openScrfd, repoRoot, sampledFrames, VIDEOS } from './lib/pose-clips.ts';
import { requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';

const CORPUS_LABELS = path.join(requireData(TEST_CORPUS), 'pose_labels.json');
const LABELS = path.resolve(repoRoot, 'docs/analysis/pose-labels.json');
const NO_FACE_CLIPS = ['coffee_pour_noface_720p.mp4', 'nature_nofaces_cuts_fades_720p_noaudio.mp4'];
/** detect's det_thresh default: what reaches detections.jsonl. */
const DET_THRESH = 0.3;
/** score's defaults: a face that passes them can make a clip. */
const MIN_DET_SCORE = 0.5;
const MIN_FACE = 80;
const MATCH_IOU = 0.3;

interface Label {
  id: string;
  half: 'fit' | 'held-out';
  video: string;
  t: number;
  box: Box;
  face_height: number;
  eye_yaw: number | null;
  pitch_note: string | null;
  flag: string | null;
}

/** One labelled face as a source read it (null when the source found no face there). */
interface Reading {
  label: Label;
  mirrored: boolean;
  /** The label's yaw, negated for the mirrored frame. */
  truth: number;
  yaw: number | null;
  pitch: number | null;
  confidence: number | null;
  /** The rigid fit's yaw and pitch before the saturation correction. */
  fittedYaw: number | null;
  fittedPitch: number | null;
}

type Source = 'embedded' | 'kps5';

const labels = await readLabels();
const embedded = await openEmbedded(DET_THRESH);
const scrfd = await openScrfd(DET_THRESH);

const readings: Record<Source, Reading[]> = { embedded: [], kps5: [] };
for (const label of labels.filter((l) => l.eye_yaw !== null)) {
  const frame = await frameAt(label.video, label.t);
  for (const flipped of [false, true]) {
    const image = flipped ? mirrored(frame) : frame;
    const box = flipped ? mirrorBox(label.box, frame.width) : label.box;
    const truth = flipped ? -label.eye_yaw! : label.eye_yaw!;
    const [meshFaces] = await embedded.detect([image]);
    const meshFace = matching(meshFaces!, box);
    const meshFit = meshFace ? rotationToPose(fitRigid3d(CANONICAL_MESH, meshFace.mesh).rotation) : null;
    readings.embedded.push(reading(label, flipped, truth, meshFace, meshFit));
    const [kpsFaces] = await scrfd.detect([image]);
    const kpsFace = matching(kpsFaces!, box);
    const kpsFit = kpsFace?.kps ? rotationToPose(fitOrthographic(CANONICAL_KPS5, kpsFace.kps).rotation) : null;
    readings.kps5.push(reading(label, flipped, truth, kpsFace, kpsFit));
  }
}

console.log('## Saturation asked for by the fit half (faces >= 80 px, no occlusion flag)\n');
console.log(`embedded (FaceMesh): ${fitSaturation(readings.embedded)}° (in use: ${MESH_SATURATION}°)`);
console.log(`kps5 (SCRFD-500M):   ${fitSaturation(readings.kps5)}° (in use: ${KPS5_SATURATION}°)\n`);

console.log('## Acceptance: faces >= 80 px, each face and its mirror image\n');
console.log('| source | half | faces | found | sign right | slope | intercept | r | MAE | bias | labelled >= 70 read | labelled <= 15 read | down_strong pitch | confidence < 0.5 |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const source of ['embedded', 'kps5'] as const) {
  for (const half of ['held-out', 'fit'] as const) console.log(tableRow(source, half, readings[source]));
}

console.log('\n## Tried, not adopted: FaceMesh on the face and on its mirror image, fitted angles averaged (twice the mesh inference)\n');
const averaged = mirrorAveraged(readings.embedded);
const averagedSaturation = fitSaturation(averaged);
console.log(`Saturation asked for by the fit half: ${averagedSaturation}°\n`);
console.log('| source | half | faces | found | sign right | slope | intercept | r | MAE | bias | labelled >= 70 read | labelled <= 15 read | down_strong pitch | confidence < 0.5 |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const half of ['held-out', 'fit'] as const) console.log(tableRow('embedded, mirror-averaged', half, recalibrated(averaged, averagedSaturation)));

console.log('\n## Held-out faces, one by one (label; embedded yaw/pitch/confidence; kps5 yaw/pitch/confidence)\n');
readings.embedded.forEach((r, i) => {
  if (r.label.half !== 'held-out') return;
  const k = readings.kps5[i]!;
  const cell = (x: Reading) => (x.yaw === null ? 'not found' : `${x.yaw.toFixed(0)} / ${x.pitch!.toFixed(0)} / ${x.confidence!.toFixed(2)}`);
  console.log(`${r.label.id}${r.mirrored ? ' mirrored' : ''} ${r.label.face_height}px label ${r.truth}${r.label.pitch_note ? ` ${r.label.pitch_note}` : ''}${r.label.flag ? ` ${r.label.flag}` : ''}: ${cell(r)}; ${cell(k)}`);
});

console.log('\n## Frontal clips (people speaking into the camera, 2 samples/s): median yaw / pitch / roll of the largest face\n');
await frontalClips();

console.log('\n## False faces of the embedded pack (2 samples/s, faces passing min_det_score 0.5 and min_face 80)\n');
await falseFaces();

async function readLabels(): Promise<Label[]> {
  const corpus = JSON.parse(await readFile(CORPUS_LABELS, 'utf8')).samples as Label[];
  const ours = JSON.parse(await readFile(LABELS, 'utf8')).samples as (Partial<Label> & { id: string; half: Label['half']; source: string })[];
  return ours.map((l) => (l.source === 'corpus' ? { ...corpus.find((c) => c.id === l.id)!, half: l.half } : (l as Label)));
}

/** The first frame at or after `time` seconds: the frame the label was made on. */
async function frameAt(video: string, time: number): Promise<RgbFrame> {
  for await (const frame of decodeFrames(path.join(VIDEOS, video), { start: time, pixFmt: 'rgb24' })) return frame;
  throw new Error(`${video} has no frame at ${time}s`);
}

function mirrorBox([x1, y1, x2, y2]: Box, width: number): Box {
  return [width - x2, y1, width - x1, y2];
}

function iou(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const inter = w * h;
  return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter);
}

function matching<F extends Pick<Face, 'box'>>(faces: readonly F[], box: Box): F | null {
  let best: F | null = null;
  for (const face of faces) if (iou(face.box, box) > MATCH_IOU && (!best || iou(face.box, box) > iou(best.box, box))) best = face;
  return best;
}

function reading(label: Label, mirrored: boolean, truth: number, face: Pick<Face, 'yaw' | 'pitch' | 'poseConfidence'> | null, fitted: { yaw: number; pitch: number } | null): Reading {
  return {
    label,
    mirrored,
    truth,
    yaw: face?.yaw ?? null,
    pitch: face?.pitch ?? null,
    confidence: face?.poseConfidence ?? null,
    fittedYaw: fitted?.yaw ?? null,
    fittedPitch: fitted?.pitch ?? null,
  };
}

function measured(r: Reading): boolean {
  return r.label.face_height >= MIN_FACE && r.label.flag === null && r.yaw !== null;
}

/** The saturation (0.5° steps) whose correction of the fitted |yaw| best matches the fit half's |labels| (least squares). */
function fitSaturation(all: readonly Reading[]): number {
  const faces = all.filter((r) => r.label.half === 'fit' && measured(r));
  const radians = Math.PI / 180;
  let best = { saturation: 90, error: Infinity };
  for (let saturation = 30; saturation <= 90; saturation += 0.5) {
    let error = 0;
    for (const r of faces) {
      const sine = Math.min(1, Math.sin(Math.abs(r.fittedYaw!) * radians) / Math.sin(saturation * radians));
      error += (Math.asin(sine) / radians - Math.abs(r.truth)) ** 2;
    }
    if (error < best.error) best = { saturation, error };
  }
  return best.saturation;
}

function tableRow(source: string, half: Label['half'], all: readonly Reading[]): string {
  const inHalf = all.filter((r) => r.label.half === half && r.label.face_height >= MIN_FACE && r.label.flag === null);
  const faces = inHalf.filter(measured);
  const truth = faces.map((r) => Math.abs(r.truth));
  const read = faces.map((r) => Math.abs(r.yaw!));
  const { slope, intercept, r } = regression(truth, read);
  const errors = faces.map((f) => f.yaw! - f.truth);
  const signRight = faces.filter((f) => f.truth === 0 || Math.sign(f.yaw!) === Math.sign(f.truth)).length;
  const strong = faces.filter((f) => Math.abs(f.truth) >= 70).map((f) => Math.abs(f.yaw!).toFixed(0));
  const frontal = faces.filter((f) => Math.abs(f.truth) <= 15).map((f) => Math.abs(f.yaw!).toFixed(0));
  const down = inHalf.filter((f) => f.label.pitch_note === 'down_strong' && f.pitch !== null).map((f) => f.pitch!.toFixed(0));
  const unsure = faces.filter((f) => f.confidence! < 0.5).length;
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return `| ${source} | ${half} | ${inHalf.length} | ${faces.length} | ${signRight}/${faces.length} | ${slope.toFixed(2)} | ${intercept.toFixed(1)} | ${r.toFixed(2)} | ${mean(errors.map(Math.abs)).toFixed(1)}° | ${mean(errors.map((e, i) => Math.sign(faces[i]!.truth || 1) * e)).toFixed(1)}° | ${strong.join(', ')} | ${frontal.join(', ')} | ${down.join(', ')} | ${unsure} |`;
}

/**
 * Each face read as the mean of FaceMesh's fit on it and on its mirror image (negated yaw and roll):
 * the model reads some faces turned one way further than their mirror images turned the other.
 * Faces found only one way round are left out.
 */
function mirrorAveraged(all: readonly Reading[]): Reading[] {
  return all.flatMap((r) => {
    const partner = all.find((p) => p.label === r.label && p.mirrored !== r.mirrored);
    if (r.fittedYaw === null || partner?.fittedYaw == null) return [];
    return [{ ...r, fittedYaw: (r.fittedYaw - partner.fittedYaw) / 2, fittedPitch: (r.fittedPitch! + partner.fittedPitch!) / 2 }];
  });
}

/** The readings' fitted angles corrected with another saturation. */
function recalibrated(all: readonly Reading[], saturation: number): Reading[] {
  return all.map((r) => {
    const { yaw, pitch, poseConfidence } = calibratedAngles(r.fittedYaw!, r.fittedPitch!, saturation);
    return { ...r, yaw, pitch, confidence: poseConfidence };
  });
}

/** Least-squares line of `y` on `x`, and the correlation. */
function regression(x: readonly number[], y: readonly number[]): { slope: number; intercept: number; r: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return { slope: sxy / sxx, intercept: my - (sxy / sxx) * mx, r: sxy / Math.sqrt(sxx * syy) };
}

/**
 * Whether a face looking into the camera reads pitch 0 (insightface's mean shape put it at -20°).
 * The embedded pack's canonical face is built from these clips, so only kps5 is an independent check.
 */
async function frontalClips(): Promise<void> {
  console.log('| clip | embedded | kps5 (SCRFD-500M) |');
  console.log('|---|---|---|');
  for (const clip of FRONTAL_CLIPS) {
    const frames = await sampledFrames(clip, 2);
    const cells: string[] = [];
    for (const analyzer of [embedded, scrfd]) {
      const poses: Pick<Face, 'yaw' | 'pitch' | 'roll'>[] = [];
      for (let i = 0; i < frames.length; i += 8) {
        for (const faces of await analyzer.detect(frames.slice(i, i + 8))) {
          const speaker = largestFace<Pick<Face, 'box' | 'yaw' | 'pitch' | 'roll'>>(faces);
          if (speaker?.yaw !== undefined) poses.push(speaker);
        }
      }
      const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!.toFixed(1);
      cells.push(`${median(poses.map((p) => p.yaw!))} / ${median(poses.map((p) => p.pitch!))} / ${median(poses.map((p) => p.roll!))} (${poses.length} faces)`);
    }
    console.log(`| ${clip} | ${cells.join(' | ')} |`);
  }
}

/**
 * Faces that would pass score's det-score and size limits: on the no-face clips (all false), on
 * the other clips (real faces, and whatever else), with and without the mesh fit-error gate.
 */
async function falseFaces(): Promise<void> {
  const ungated = await openEmbedded(DET_THRESH, { maxMeshFitError: Infinity });
  const clips = (await readdir(VIDEOS)).filter((f) => /\.(mp4|webm)$/.test(f)).sort();
  console.log('| clip | faces without the fit-error gate | with it | dropped (fit error) |');
  console.log('|---|---|---|---|');
  for (const clip of clips) {
    const frames = await sampledFrames(clip, 2);
    const passing = async (analyzer: FaceAnalyzer<EmbeddedFace>) => {
      const found: { t: number; box: Box }[] = [];
      for (let i = 0; i < frames.length; i += 8) {
        const batch = frames.slice(i, i + 8);
        (await analyzer.detect(batch)).forEach((faces, k) => {
          for (const f of faces) {
            if (f.detScore >= MIN_DET_SCORE && Math.min(f.box[2] - f.box[0], f.box[3] - f.box[1]) >= MIN_FACE) found.push({ t: batch[k]!.time, box: f.box });
          }
        });
      }
      return found;
    };
    const before = await passing(ungated);
    const after = await passing(embedded);
    const dropped = before.filter((b) => !after.some((a) => a.t === b.t && iou(a.box, b.box) > 0.9));
    const where = dropped.map((d) => `${d.t.toFixed(2)} s [${d.box.map((v) => v.toFixed(0)).join(', ')}]`).join('; ');
    console.log(`| ${clip}${NO_FACE_CLIPS.includes(clip) ? ' (no faces)' : ''} | ${before.length} | ${after.length} | ${where} |`);
  }
}
