/**
 * What the detect rule writes: detections.jsonl, a line per sampled frame (its lines' types and
 * how a face becomes one are src/detect/records.ts), and summary.json.
 */
import type { DetectionLine } from '../detect/records.ts';

export const DETECTIONS_FILE = 'detections.jsonl';
export const DETECT_SUMMARY_FILE = 'summary.json';

/** What detect writes beside its journal. */
export interface DetectSummary {
  sampledFrames: number;
  faces: number;
  frameErrors: number;
  /** The model pack, by kind and model file names. */
  pack: string;
  sampleFps: number;
}

/** The lines of detections.jsonl as written; src/track/detections.ts turns them into samples. */
export function parseDetectionLines(text: string): DetectionLine[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as DetectionLine);
}
