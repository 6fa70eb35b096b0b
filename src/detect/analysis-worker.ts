/**
 * Detect's analysis worker thread. onnxruntime-node runs an inference synchronously on the thread
 * that calls it, so inference on the main thread would stall the decoder's pipe (and every other
 * build of the process) for its whole duration. Here it runs beside them: the main thread keeps
 * reading frames from ffmpeg while this one analyses the previous batch.
 */

import { parentPort, workerData } from 'node:worker_threads';
import type { AnalysisSettings, AnalyzerInfo, FrameOutcome, ThreadRequest, WorkerMessage } from './analysis-protocol.ts';
import { openFaceAnalyzer } from '../faces/packs.ts';
import type { FaceAnalyzer, RgbFrame } from '../faces/types.ts';
import { releaseSessions } from '../faces/onnx/session.ts';
import { faceRecord } from './records.ts';

function openAnalyzer(settings: AnalysisSettings): Promise<FaceAnalyzer> {
  return openFaceAnalyzer(settings.pack, {
    device: settings.device,
    threads: settings.threads,
    scoreThreshold: settings.scoreThreshold,
    batchSize: settings.batchSize,
    detSize: settings.detSize,
  });
}

function describe(analyzer: FaceAnalyzer): AnalyzerInfo {
  return {
    provider: analyzer.provider,
    notices: analyzer.notices.map((notice) => notice.message),
    notes: [...analyzer.notes],
    poseOrigin: analyzer.poseOrigin,
  };
}

/** Each frame's faces as detections.jsonl records; a frame that fails alone says why, and the others keep their faces. */
async function analyse(analyzer: FaceAnalyzer, frames: readonly RgbFrame[]): Promise<FrameOutcome[]> {
  try {
    return (await analyzer.detect(frames)).map((faces) => ({ faces: faces.map(faceRecord) }));
  } catch {
    const outcomes: FrameOutcome[] = [];
    for (const frame of frames) {
      try {
        const [faces] = await analyzer.detect([frame]);
        outcomes.push({ faces: faces!.map(faceRecord) });
      } catch (error) {
        outcomes.push({ error: error instanceof Error ? error.message : String(error) });
      }
    }
    return outcomes;
  }
}

const port = parentPort!;
const post = (message: WorkerMessage) => port.postMessage(message);

try {
  const analyzer = await openAnalyzer(workerData as AnalysisSettings);
  // One batch at a time, in arrival order, whatever the main thread has queued.
  let queue = Promise.resolve();
  let closing = false;
  port.on('message', (request: ThreadRequest) => {
    if (request.type === 'close') {
      closing = true;
      // The thread ends itself, between two inferences: stopped from outside (Worker.terminate, or
      // process.exit, which stops every worker) while onnxruntime-node's synchronous run is in
      // progress, its native code meets a terminating isolate when the run returns and throws a
      // C++ Napi::Error that nothing catches: the whole process aborts.
      queue = queue.then(async () => {
        await releaseSessions();
        process.exit(0);
      });
      return;
    }
    const { id, frames } = request;
    queue = queue.then(async () => {
      if (!closing) post({ type: 'result', id, outcomes: await analyse(analyzer, frames) });
    });
  });
  post({ type: 'ready', info: describe(analyzer) });
} catch (error) {
  post({ type: 'failed', error: error instanceof Error ? error.message : String(error) });
  // Now, while no other model of the pack is being loaded (native code as well).
  process.exit(1);
}
