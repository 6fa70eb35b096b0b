/** Messages between the analyzer worker and the thread that uses it. */

import type { Analyzer, AnalyzerOptions } from './analyzer.ts';
import type { ModelPack } from './pack.ts';
import type { Face, RgbFrame } from './types.ts';

export interface WorkerSetup {
  pack: ModelPack;
  options: AnalyzerOptions;
}

export interface WorkerRequest {
  id: number;
  frames: RgbFrame[];
}

export type AnalyzerReady = { kind: 'ready' } & Pick<Analyzer, 'provider' | 'notices' | 'notes' | 'poseSource'>;

export type WorkerReply =
  | AnalyzerReady
  | { kind: 'faces'; id: number; faces: Face[][] }
  /** `id` is -1 when the analyzer itself could not be created. */
  | { kind: 'failed'; id: number; message: string };
