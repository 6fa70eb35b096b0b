/**
 * Face analysis of batches of frames with a model pack: detection, then pose and identity
 * embedding for every face found, each model's inference batched across the frames.
 */

import { openEmbedder, type Embedder } from './embed.ts';
import { openLandmark3dModel, type Landmark3dModel } from './landmark3d.ts';
import type { InsightfacePack } from './pack.ts';
import { poseFromKps5 } from './pose.ts';
import { createScrfdDetector, type Detection } from './scrfd.ts';
import type { DeviceNotice, SessionOptions } from '../onnx/session.ts';
import type { PoseReading } from '../pose/pose-calibration.ts';
import type { Face, FaceAnalyzer, PoseOrigin, RgbFrame } from '../types.ts';

export interface AnalyzerOptions extends SessionOptions {
  /** Square detector input side (for detectors without a fixed input size). */
  detSize: number;
  scoreThreshold: number;
  /** IoU above which the weaker of two overlapping detections is dropped; insightface uses 0.4. */
  nmsThreshold?: number;
  /** Frames (detector) or face crops (pose, embedding) per inference where a model accepts batches. */
  batchSize?: number;
}

export async function createInsightfaceAnalyzer(pack: InsightfacePack, options: AnalyzerOptions): Promise<FaceAnalyzer> {
  const session = { device: options.device, threads: options.threads, batchSize: options.batchSize ?? 1 };
  const detector = await createScrfdDetector(pack.detector, {
    ...session,
    detSize: options.detSize,
    scoreThreshold: options.scoreThreshold,
    nmsThreshold: options.nmsThreshold ?? 0.4,
  });
  const landmarks = pack.landmark3d ? await openLandmark3dModel(pack.landmark3d, session) : null;
  const embedder = pack.recognition ? await openEmbedder(pack.recognition, session) : null;
  // Models that fell back for the same reason say so once.
  const notices = [detector.model, landmarks?.crops.model, embedder?.crops.model]
    .map((m) => m?.notice)
    .filter((n): n is DeviceNotice => n != null)
    .filter((n, i, all) => all.findIndex((o) => o.message === n.message) === i);

  return {
    provider: detector.model.provider,
    notices,
    notes: detector.notes,
    poseOrigin: landmarks ? '1k3d68' : detector.hasKps ? 'kps5' : null,
    async detect(frames) {
      const detections = await detector.detect(frames);
      const located = detections.flatMap((faces, f) => faces.map((d) => ({ frame: frames[f]!, detection: d })));
      const poses = await estimatePoses(located, landmarks);
      const embeddings = await embed(located, embedder);
      let next = 0;
      return detections.map((faces) =>
        faces.map((detection) => {
          const i = next++;
          return toFace(detection, poses[i] ?? null, embeddings[i] ?? null);
        }),
      );
    },
  };
}

interface LocatedDetection {
  frame: RgbFrame;
  detection: Detection;
}

async function estimatePoses(
  located: readonly LocatedDetection[],
  landmarks: Landmark3dModel | null,
): Promise<({ pose: PoseReading; origin: PoseOrigin } | null)[]> {
  if (landmarks) {
    const poses = await landmarks.poses(located.map(({ frame, detection }) => ({ frame, box: detection.box })));
    return poses.map((pose) => ({ pose, origin: '1k3d68' }));
  }
  return located.map(({ detection }) => (detection.kps ? { pose: poseFromKps5(detection.kps), origin: 'kps5' } : null));
}

/** Embeddings of the faces that have keypoints (the norm-crop needs them); null for the others. */
async function embed(located: readonly LocatedDetection[], embedder: Embedder | null): Promise<(Float32Array | null)[]> {
  if (!embedder) return located.map(() => null);
  const withKps = located.flatMap(({ frame, detection }, i) => (detection.kps ? [{ i, frame, kps: detection.kps }] : []));
  const vectors = await embedder.embed(withKps);
  const byFace: (Float32Array | null)[] = located.map(() => null);
  withKps.forEach(({ i }, k) => (byFace[i] = vectors[k]!));
  return byFace;
}

function toFace(
  detection: Detection,
  pose: { pose: PoseReading; origin: PoseOrigin } | null,
  embedding: Float32Array | null,
): Face {
  return {
    box: detection.box,
    detScore: detection.score,
    kps: detection.kps,
    ...(pose ? { ...pose.pose, poseOrigin: pose.origin } : {}),
    ...(embedding ? { embedding } : {}),
  };
}
