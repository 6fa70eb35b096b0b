/** Detect's side of the analysis worker: start it with a pack, hand it batches, get outcomes back in order. */

import { Worker } from 'node:worker_threads';
import type { AnalysisSettings, AnalyzerInfo, FrameOutcome, WorkerMessage } from './analysis-protocol.ts';
import type { RgbFrame } from '../vision/types.ts';

export interface AnalysisThread {
  readonly info: AnalyzerInfo;
  /** Analyses frames off the main thread. Their pixel buffers are moved to the worker: do not read them afterwards. */
  analyse(frames: readonly RgbFrame[]): Promise<FrameOutcome[]>;
  /** Whether the worker failed or exited: such a thread must not be used again. */
  readonly broken: boolean;
  /** Whether an idle thread may keep the process alive. */
  keepAlive(on: boolean): void;
  close(): Promise<void>;
}

/**
 * The worker runs TypeScript like the rest of vbuild: it registers tsx's loader first, since a
 * worker thread does not inherit the loader hooks of the thread that starts it.
 */
function bootstrap(entry: URL): string {
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  return `import(${tsx}).then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`;
}

/** A frame's pixels as a buffer the worker can take over without a copy where the frame owns one. */
function transferable(frame: RgbFrame): { frame: RgbFrame; buffer: ArrayBuffer } {
  const { data } = frame;
  const owns = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  const pixels = owns ? data : data.slice();
  return { frame: { width: frame.width, height: frame.height, data: pixels }, buffer: pixels.buffer as ArrayBuffer };
}

export function startAnalysisThread(settings: AnalysisSettings): Promise<AnalysisThread> {
  const worker = new Worker(bootstrap(new URL('./analysis-worker.ts', import.meta.url)), { eval: true, workerData: settings });
  const pending = new Map<number, { resolve: (outcomes: FrameOutcome[]) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };

  return new Promise((resolveStart, rejectStart) => {
    worker.on('error', (error) => {
      failAll(new Error(`face analysis worker failed: ${error.message}`, { cause: error }));
      rejectStart(failure);
    });
    worker.on('exit', (code) => {
      failAll(new Error(`face analysis worker exited (code ${code})`));
      rejectStart(failure);
    });
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'failed') {
        rejectStart(new Error(message.error));
        void worker.terminate();
      } else if (message.type === 'result') {
        pending.get(message.id)?.resolve(message.outcomes);
        pending.delete(message.id);
      } else {
        resolveStart({
          info: message.info,
          analyse(frames) {
            if (failure) return Promise.reject(failure);
            const id = nextId++;
            const moved = frames.map(transferable);
            return new Promise((resolve, reject) => {
              pending.set(id, { resolve, reject });
              worker.postMessage({ id, frames: moved.map((m) => m.frame) }, moved.map((m) => m.buffer));
            });
          },
          get broken() {
            return failure !== undefined;
          },
          keepAlive(on) {
            if (on) worker.ref();
            else worker.unref();
          },
          async close() {
            await worker.terminate();
          },
        });
      }
    });
  });
}
