/** Messages between detect's main thread and its analysis worker (src/detect/analysis-worker.ts). */

import type { Device } from '../faces/onnx/session.ts';
import type { RgbFrame } from '../faces/types.ts';
import type { ModelPack } from '../faces/packs.ts';
import type { PoseOrigin } from '../faces/types.ts';
import type { FaceRecord } from './records.ts';

export interface AnalysisSettings {
  pack: ModelPack;
  device: Device;
  /** Intra-op threads per inference; 0 lets onnxruntime choose. */
  threads: number;
  detSize: number;
  scoreThreshold: number;
  /** Frames (or face crops) per inference where a model accepts batches. */
  batchSize: number;
}

export interface AnalyzerInfo {
  provider: string;
  /** Why the requested device is not the one in use, each once. */
  notices: string[];
  /** Options a model could not honour. */
  notes: string[];
  poseOrigin: PoseOrigin | null;
}

/** The outcome for one frame: its faces, or why analysing it failed. */
export type FrameOutcome = { faces: FaceRecord[] } | { error: string };

/**
 * What the main thread sends: a batch to analyse, or `close`: stop after the batch being analysed,
 * dropping the ones still queued, and release the models.
 */
export type ThreadRequest = { type: 'analyse'; id: number; frames: RgbFrame[] } | { type: 'close' };

export type WorkerMessage =
  | { type: 'ready'; info: AnalyzerInfo }
  | { type: 'failed'; error: string }
  | { type: 'result'; id: number; outcomes: FrameOutcome[] };
