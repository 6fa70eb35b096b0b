/**
 * The embedded pack (BlazeFace + FaceMesh + FaceRes converted from @vladmandic/human) against
 * SCRFD-500M on the same corpus frames, CPU only: frames per second of the inference alone and of
 * the whole analysis, and how far the two agree on faces of at least 80 px (the default min_face).
 * Configurations run in interleaved rounds; the table gives each one's median round and its ratio
 * to SCRFD's whole analysis measured in this same process.
 *
 *   npx tsx bench/embedded.ts [rounds, default 3] [threads, default 2]
 */

import { mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Tensor } from 'onnxruntime-node';
import { decodeFrames } from '../src/media/decode.ts';
import { createEmbeddedAnalyzer } from '../src/faces/embedded/analyzer.ts';
import { BLAZEFACE_INPUT } from '../src/faces/embedded/blazeface-decode.ts';
import { embeddedPack } from '../src/faces/embedded/pack.ts';
import { letterboxToChw } from '../src/faces/onnx/image.ts';
import { createInsightfaceAnalyzer, loadPack, type Box, type RgbFrame } from '../src/faces/index.ts';
import { SCRFD_NORMALISATION } from '../src/faces/onnx/normalisation.ts';
import { openSession } from '../src/faces/onnx/session.ts';
import { requireData, TEST_CORPUS, TEST_MODELS } from '../test/helpers/test-data.ts';

const SCRFD = path.join(requireData(TEST_MODELS), 'scrfd_500m_bnkps.onnx');
const VIDEOS = path.join(requireData(TEST_CORPUS), 'videos');
/** Faces of every size and angle, crowds, and no faces at all; sampled at 1 frame/s. */
const CLIPS = [
  'multishot_8shots_1280x720_25fps.mp4',
  'opera_house_walkers_1080p.mp4',
  'hamilton_whitehouse_cuts_640x360.mp4',
  'his_girl_friday_bw_3women_640x480.mp4',
  'woman_fullbody_dance_720x1080.mp4',
  'kids_bedroom_smallfaces_540p_noaudio.mp4',
  'tears_of_steel_battle_cuts_800x332.webm',
];
const MIN_FACE = 80;
const MIN_SCORE = 0.5;
const SAME_FACE_IOU = 0.3;

const rounds = Number(process.argv[2] ?? 3);
const threads = Number(process.argv[3] ?? 2);

const frames: RgbFrame[] = [];
for (const clip of CLIPS) {
  for await (const frame of decodeFrames(path.join(VIDEOS, clip), { fps: 1, pixFmt: 'rgb24' })) frames.push(frame);
}

const session = { device: 'cpu' as const, threads };
const scrfdDir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-bench-scrfd-'));
await symlink(SCRFD, path.join(scrfdDir, 'det_500m.onnx'));
const scrfd = await createInsightfaceAnalyzer(await loadPack(scrfdDir), { ...session, detSize: 640, scoreThreshold: MIN_SCORE });
const pack = await embeddedPack(await mkdtemp(path.join(os.tmpdir(), 'vbuild-bench-models-')));
const embedded = await createEmbeddedAnalyzer(pack, { ...session, scoreThreshold: MIN_SCORE });

/** Inference alone on one fixed letterboxed frame, as many times as there are frames. */
async function inferenceOnly(model: string, size: number, normalisation: { mean: number; std: number }) {
  const { session: s } = await openSession(model, session);
  const input = new Float32Array(3 * size * size);
  letterboxToChw(frames[0]!, size, size, normalisation, input, 0);
  const feeds = { [s.inputNames[0]!]: new Tensor('float32', input, [1, 3, size, size]) };
  return async () => {
    for (let i = 0; i < frames.length; i++) await s.run(feeds);
  };
}

const configs: { name: string; run: () => Promise<unknown> }[] = [
  { name: 'SCRFD-500M 640²: detect + decode + NMS + kps5 pose (baseline)', run: () => scrfd.detect(frames) },
  { name: 'SCRFD-500M 640²: inference only', run: await inferenceOnly(SCRFD, 640, SCRFD_NORMALISATION) },
  { name: 'embedded: BlazeFace 256² + FaceMesh + pose + FaceRes', run: () => embedded.detect(frames) },
  { name: 'embedded: BlazeFace 256² inference only', run: await inferenceOnly(pack.detector, BLAZEFACE_INPUT, { mean: 127.5, std: 127.5 }) },
];

// Warm-up, and the faces the agreement is computed from.
const [scrfdFaces, embeddedFaces] = [await scrfd.detect(frames), await embedded.detect(frames)];
const seconds = configs.map(() => [] as number[]);
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < configs.length; k++) {
    const c = (k + round) % configs.length;
    const start = performance.now();
    await configs[c]!.run();
    seconds[c]!.push((performance.now() - start) / 1000);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fps = seconds.map((s) => frames.length / median(s));
const shorterSide = (b: Box) => Math.min(b[2] - b[0], b[3] - b[1]);
const iou = (a: Box, b: Box) => {
  const w = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const h = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const area = (r: Box) => (r[2] - r[0]) * (r[3] - r[1]);
  return (w * h) / (area(a) + area(b) - w * h);
};
/** Share of `from`'s faces of at least MIN_FACE px that overlap a face of `in_`, per frame. */
function recall(from: { box: Box }[][], in_: { box: Box }[][]): string {
  let large = 0;
  let found = 0;
  from.forEach((faces, f) => {
    for (const face of faces.filter((x) => shorterSide(x.box) >= MIN_FACE)) {
      large++;
      if (in_[f]!.some((other) => iou(face.box, other.box) >= SAME_FACE_IOU)) found++;
    }
  });
  return `${found}/${large} (${large === 0 ? '-' : ((100 * found) / large).toFixed(0)} %)`;
}

const cpu = os.cpus();
console.log(`machine: ${cpu[0]?.model} x ${cpu.length} cores, ${os.platform()} ${os.arch()}, node ${process.version}`);
console.log(`${frames.length} frames (1 per s of ${CLIPS.length} corpus clips), ${threads} intra-op threads, median of ${rounds} rounds\n`);
console.log('| configuration | frames/s | vs baseline |');
console.log('|---|---:|---:|');
configs.forEach((c, i) => console.log(`| ${c.name} | ${fps[i]!.toFixed(1)} | ${(fps[i]! / fps[0]!).toFixed(2)}x |`));
const count = (faces: unknown[][]) => faces.flat().length;
/** Scores of the faces >= MIN_FACE px both detectors found, to compare what a det_score threshold means for each. */
const pairs = scrfdFaces.flatMap((faces, f) =>
  faces
    .filter((s) => shorterSide(s.box) >= MIN_FACE)
    .flatMap((s) => embeddedFaces[f]!.filter((e) => iou(s.box, e.box) >= SAME_FACE_IOU).map((e) => [s.detScore, e.detScore] as const)),
);
const quantiles = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return [0, 0.1, 0.5, 0.9].map((q) => sorted[Math.floor(q * (sorted.length - 1))]!.toFixed(2)).join(' / ');
};
console.log(`\nfaces with score >= ${MIN_SCORE}: SCRFD ${count(scrfdFaces)}, embedded ${count(embeddedFaces)}`);
console.log(`SCRFD faces >= ${MIN_FACE} px also found by the embedded pack (IoU >= ${SAME_FACE_IOU}): ${recall(scrfdFaces, embeddedFaces)}`);
console.log(`embedded faces >= ${MIN_FACE} px also found by SCRFD (IoU >= ${SAME_FACE_IOU}): ${recall(embeddedFaces, scrfdFaces)}`);
console.log(`det_score of the ${pairs.length} faces >= ${MIN_FACE} px found by both, min / p10 / median / p90:`);
console.log(`  SCRFD ${quantiles(pairs.map((p) => p[0]))}, embedded ${quantiles(pairs.map((p) => p[1]))}`);
