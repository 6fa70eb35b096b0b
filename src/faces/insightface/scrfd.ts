/** SCRFD face detection on rgb24 frames: letterbox, batched inference, decode, NMS, frame coordinates. */

import { Tensor } from 'onnxruntime-node';
import { letterboxToChw } from '../onnx/image.ts';
import { modelInput } from '../onnx/model-input.ts';
import { nonMaxSuppression } from '../geometry/nms.ts';
import { SCRFD_NORMALISATION } from '../onnx/normalisation.ts';
import { decodeScrfd, scrfdLayout, type Candidate } from './scrfd-decode.ts';
import { openSession, type ModelSession, type SessionOptions } from '../onnx/session.ts';
import type { Box, Point, RgbFrame } from '../types.ts';

export interface ScrfdOptions extends SessionOptions {
  /** Square input side for models whose input size is not fixed in the graph. */
  detSize: number;
  scoreThreshold: number;
  nmsThreshold: number;
  /** Frames per inference where the model accepts a batch. */
  batchSize: number;
}

/** A detected face in frame pixels; the box may reach past the frame edges, as the detector sees it. */
export interface Detection {
  box: Box;
  score: number;
  kps: Point[] | null;
}

export interface ScrfdDetector {
  readonly model: ModelSession;
  readonly input: { width: number; height: number };
  /** Whether the model predicts the 5 keypoints. */
  readonly hasKps: boolean;
  /** Frames per inference actually used: 1 where the model's batch dimension is fixed to 1. */
  readonly batchSize: number;
  /** Why an option could not be honoured (e.g. a model with a fixed input size), for the user. */
  readonly notes: readonly string[];
  detect(frames: readonly RgbFrame[]): Promise<Detection[][]>;
}

export async function createScrfdDetector(modelPath: string, options: ScrfdOptions): Promise<ScrfdDetector> {
  const model = await openSession(modelPath, options);
  const { session } = model;
  const layout = scrfdLayout(session.outputNames.length);
  const shape = modelInput(session, modelPath);
  const notes: string[] = [];
  const width = shape.width ?? options.detSize;
  const height = shape.height ?? options.detSize;
  if ((shape.width !== null || shape.height !== null) && (width !== options.detSize || height !== options.detSize)) {
    notes.push(`${modelPath} has a fixed ${width}x${height} input; detSize ${options.detSize} does not apply`);
  }
  if (shape.batch !== null && shape.batch !== 1) {
    throw new Error(`${modelPath}: SCRFD models with a fixed batch of ${shape.batch} are not supported`);
  }
  const batchSize = shape.batch ?? Math.max(1, options.batchSize);
  const input = { width, height };

  async function detectBatch(frames: readonly RgbFrame[]): Promise<Detection[][]> {
    const imageSize = 3 * width * height;
    const batch = new Float32Array(frames.length * imageSize);
    const scales = frames.map((frame, i) =>
      letterboxToChw(frame, width, height, SCRFD_NORMALISATION, batch, i * imageSize),
    );
    const tensor = new Tensor('float32', batch, [frames.length, 3, height, width]);
    const results = await session.run({ [shape.name]: tensor });
    const outputs = session.outputNames.map((name) => results[name]!.data as Float32Array);
    return scales.map((scale, i) =>
      toFrameDetections(decodeScrfd(outputs, layout, input, i, options.scoreThreshold), scale, options.nmsThreshold),
    );
  }

  return {
    model,
    input,
    hasKps: layout.hasKps,
    batchSize,
    notes,
    async detect(frames) {
      const perFrame: Detection[][] = [];
      for (let i = 0; i < frames.length; i += batchSize) {
        perFrame.push(...(await detectBatch(frames.slice(i, i + batchSize))));
      }
      return perFrame;
    },
  };
}

function toFrameDetections(candidates: Candidate[], scale: number, nmsThreshold: number): Detection[] {
  const boxes = candidates.map((c) => c.box.map((v) => v / scale) as Box);
  const kept = nonMaxSuppression(boxes, candidates.map((c) => c.score), nmsThreshold);
  return kept.map((i) => {
    const candidate = candidates[i]!;
    return {
      box: boxes[i]!,
      score: candidate.score,
      kps: candidate.kps?.map(([x, y]): Point => [x / scale, y / scale]) ?? null,
    };
  });
}
