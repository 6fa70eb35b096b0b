/**
 * Face analysis with the embedded pack: BlazeFace finds faces, FaceMesh places 468 landmarks on
 * each (box, 5 keypoints and pose come from them), FaceRes describes each for identity. Same
 * contract as the insightface analyzer (FaceAnalyzer): faces per frame in frame pixels, best score first.
 */

import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { l2Normalise } from '../geometry/vector.ts';
import { letterboxToChw, toNchw, warpAffine, type Normalisation } from '../onnx/image.ts';
import { nonMaxSuppression } from '../geometry/nms.ts';
import { openSession, type DeviceNotice, type SessionOptions } from '../onnx/session.ts';
import type { Box, Face, FaceAnalyzer, Point, RgbFrame } from '../types.ts';
import { BLAZEFACE_INPUT, decodeBlazeFace, type BlazeFaceCandidate } from './blazeface-decode.ts';
import { eyeLineAngle, faceCropMatrix, type FaceFrame } from './face-crop.ts';
import { meshBox, meshEyeCorners, meshInFrame, meshKeypoints, poseFromMesh } from './mesh.ts';
import type { EmbeddedPack } from './pack.ts';
import type { Vec3 } from '../pose/pose-math.ts';

const MESH_INPUT = 192;
const DESCRIPTOR_INPUT = 224;
/** BlazeFace was trained on [-1, 1] pixels, FaceMesh on [0, 1], FaceRes on raw 0..255. */
const DETECTOR_NORMALISATION: Normalisation = { mean: 127.5, std: 127.5 };
const MESH_NORMALISATION: Normalisation = { mean: 0, std: 255 };
const DESCRIPTOR_NORMALISATION: Normalisation = { mean: 0, std: 1 };
/** The crop side as a multiple of BlazeFace's box (which spans brows to mouth): the whole head with a margin (Human uses 1.4). */
const CROP_ENLARGEMENT = 1.5;

/** A face of the embedded pack; its pose comes from the 468-point mesh. */
export type EmbeddedFace = Face & {
  poseOrigin: 'mesh';
  meshScore: number;
  /** FaceMesh's 468 points in frame pixels, depth scaled alike (src/faces/embedded/mesh.ts). */
  mesh: Vec3[];
};

export interface EmbeddedAnalyzerOptions extends SessionOptions {
  /** Minimum BlazeFace score (0..1) of a face. */
  scoreThreshold: number;
  /** Minimum FaceMesh face-presence score (0..1); a detection whose crop the mesh model does not see as a face is dropped. */
  meshThreshold?: number;
  /**
   * Largest distance of a mesh from the canonical face fitted onto it (`fitError`, src/faces/embedded/mesh.ts);
   * a mesh drawn over something that is not face-shaped is dropped.
   */
  maxMeshFitError?: number;
  /** IoU above which the weaker of two overlapping detections is dropped. */
  nmsThreshold?: number;
  /** Face crops per mesh/descriptor inference. */
  batchSize?: number;
}

interface Located {
  frame: number;
  detection: BlazeFaceCandidate;
  crop: FaceFrame;
}

export async function createEmbeddedAnalyzer(pack: EmbeddedPack, options: EmbeddedAnalyzerOptions): Promise<FaceAnalyzer<EmbeddedFace>> {
  const session = { device: options.device, threads: options.threads };
  const [detector, mesh, descriptor] = await Promise.all([
    openSession(pack.detector, session),
    openSession(pack.mesh, session),
    openSession(pack.descriptor, session),
  ]);
  const nmsThreshold = options.nmsThreshold ?? 0.3;
  const meshThreshold = options.meshThreshold ?? 0.5;
  // Real faces of the corpus reach 0.16 (profiles); a hand that FaceMesh scores 0.87 is at 0.19 (docs/analysis/pose.md).
  const maxMeshFitError = options.maxMeshFitError ?? 0.175;
  const batchSize = Math.max(1, options.batchSize ?? 8);

  async function detectFrame(frame: RgbFrame): Promise<BlazeFaceCandidate[]> {
    const input = new Float32Array(3 * BLAZEFACE_INPUT * BLAZEFACE_INPUT);
    const scale = letterboxToChw(frame, BLAZEFACE_INPUT, BLAZEFACE_INPUT, DETECTOR_NORMALISATION, input, 0);
    const out = await detector.session.run({
      [detector.session.inputNames[0]!]: new Tensor('float32', input, [1, 3, BLAZEFACE_INPUT, BLAZEFACE_INPUT]),
    });
    const data = (name: string) => out[name]!.data as Float32Array;
    const candidates = decodeBlazeFace([data('scores16'), data('scores32')], [data('boxes16'), data('boxes32')], options.scoreThreshold).map(
      (c): BlazeFaceCandidate => ({
        score: c.score,
        box: c.box.map((v) => v / scale) as Box,
        keypoints: c.keypoints.map(([x, y]): Point => [x / scale, y / scale]),
      }),
    );
    const kept = nonMaxSuppression(candidates.map((c) => c.box), candidates.map((c) => c.score), nmsThreshold);
    return kept.map((i) => candidates[i]!);
  }

  return {
    provider: detector.provider,
    notices: [detector, mesh, descriptor].map((m) => m.notice).filter((n): n is DeviceNotice => n !== null),
    notes: [],
    poseOrigin: 'mesh',
    async detect(frames) {
      const located: Located[] = [];
      for (let f = 0; f < frames.length; f++) {
        for (const detection of await detectFrame(frames[f]!)) located.push({ frame: f, detection, crop: detectorCrop(detection) });
      }
      const meshes = await runCrops(mesh.session, located.map((l) => ({ frame: frames[l.frame]!, crop: l.crop })), MESH_INPUT, MESH_NORMALISATION, batchSize);
      const faces: EmbeddedFace[][] = frames.map(() => []);
      const accepted: { face: EmbeddedFace; frame: number; crop: FaceFrame }[] = [];
      located.forEach((l, i) => {
        const meshScore = meshes.faceflag![i]![0]!;
        if (meshScore < meshThreshold) return;
        const points = meshInFrame(meshes.mesh![i]!, faceCropMatrix(l.crop, MESH_INPUT));
        const { fitError, ...pose } = poseFromMesh(points);
        if (!(fitError <= maxMeshFitError)) return;
        const face: EmbeddedFace = {
          box: meshBox(points),
          detScore: l.detection.score,
          kps: meshKeypoints(points),
          ...pose,
          poseOrigin: 'mesh',
          meshScore,
          mesh: points,
        };
        faces[l.frame]!.push(face);
        accepted.push({ face, frame: l.frame, crop: descriptorCrop(points, l.crop.side) });
      });
      const described = await runCrops(descriptor.session, accepted.map((a) => ({ frame: frames[a.frame]!, crop: a.crop })), DESCRIPTOR_INPUT, DESCRIPTOR_NORMALISATION, batchSize);
      accepted.forEach((a, i) => (a.face.embedding = l2Normalise(described.descriptor![i]!)));
      for (const list of faces) list.sort((a, b) => b.detScore - a.detScore);
      return faces;
    },
  };
}

/** The detector's box grown to the whole head, centred on it, levelled on the eye keypoints. */
function detectorCrop({ box: [x1, y1, x2, y2], keypoints }: BlazeFaceCandidate): FaceFrame {
  return {
    center: [(x1 + x2) / 2, (y1 + y2) / 2],
    side: Math.max(x2 - x1, y2 - y1) * CROP_ENLARGEMENT,
    angle: eyeLineAngle(keypoints[0]!, keypoints[1]!),
  };
}

/** The same framing as the mesh crop, re-centred and levelled on the mesh, which is steadier than the detector's keypoints. */
function descriptorCrop(mesh: readonly Vec3[], side: number): FaceFrame {
  const [x1, y1, x2, y2] = meshBox(mesh);
  const [left, right] = meshEyeCorners(mesh);
  return { center: [(x1 + x2) / 2, (y1 + y2) / 2], side, angle: eyeLineAngle(left, right) };
}

/** Runs a crop model over all faces in batches; per output name, one row per face. */
async function runCrops(
  session: InferenceSession,
  faces: readonly { frame: RgbFrame; crop: FaceFrame }[],
  size: number,
  normalisation: Normalisation,
  batchSize: number,
): Promise<Record<string, Float32Array[]>> {
  const outputs: Record<string, Float32Array[]> = Object.fromEntries(session.outputNames.map((n) => [n, []]));
  for (let start = 0; start < faces.length; start += batchSize) {
    const batch = faces.slice(start, start + batchSize);
    const crops = batch.map(({ frame, crop }) => warpAffine(frame, faceCropMatrix(crop, size), size, size));
    const result = await session.run({ [session.inputNames[0]!]: new Tensor('float32', toNchw(crops, normalisation), [batch.length, 3, size, size]) });
    for (const name of session.outputNames) {
      const data = result[name]!.data as Float32Array;
      const row = data.length / batch.length;
      batch.forEach((_, i) => outputs[name]!.push(data.slice(i * row, (i + 1) * row)));
    }
  }
  return outputs;
}
