/** Detect's side of the analysis worker: start it with a pack, hand it batches, get outcomes back in order. */

import { Worker } from 'node:worker_threads';
import type { AnalysisSettings, AnalyzerInfo, FrameOutcome, ThreadRequest, WorkerMessage } from './analysis-protocol.ts';
import type { RgbFrame } from '../faces/types.ts';

export interface AnalysisThread {
  readonly info: AnalyzerInfo;
  /** Analyses frames off the main thread. Their pixel buffers are moved to the worker: do not read them afterwards. */
  analyse(frames: readonly RgbFrame[]): Promise<FrameOutcome[]>;
  /** Whether the worker failed or exited: such a thread must not be used again. */
  readonly broken: boolean;
  /** Whether an idle thread may keep the process alive. */
  keepAlive(on: boolean): void;
  /** Ends the thread after the batch it is analysing; batches still queued are rejected. */
  close(): Promise<void>;
}

type Closers = Map<Worker, () => Promise<void>>;

/**
 * How to stop each worker that has not exited yet. A worker is never terminated from outside
 * (see the worker's `close`): one stopped inside an inference takes the whole process down.
 * One map per process, not per copy of this module: vbuild's CLI and the config it loads hold
 * separate copies (tsx loads the config under a namespace of its own), and the CLI's signal
 * handler must close the threads detect started from the config's copy.
 */
const running: Closers = ((globalThis as Record<symbol, Closers | undefined>)[Symbol.for('vbuild.analysisThreads')] ??= new Map());

/**
 * Ends every analysis thread of the process, each after its current inference. `process.exit`
 * stops worker threads wherever they are: this must come first. It goes on until none is left: a
 * build still setting up when it began (a second signal right after the first) may start a thread
 * while the others end, and a thread stopped while it loads its models aborts the process too.
 */
export async function closeAnalysisThreads(): Promise<void> {
  while (running.size > 0) await Promise.all([...running.values()].map((close) => close()));
}

const compiledWorker = Symbol.for('vbuild.compiledAnalysisWorker');

/**
 * The analysis worker compiled ahead with the CLI (bin/compiled-cli.js): threads then start it as
 * it is. Held on globalThis, like the closers above, so that a config loaded through tsx uses it too.
 */
export function useCompiledAnalysisWorker(url: string): void {
  (globalThis as Record<symbol, string | undefined>)[compiledWorker] = url;
}

/**
 * The compiled worker where there is one. Else the worker runs TypeScript like the rest of vbuild:
 * it registers tsx's loader first, since a worker thread does not inherit the loader hooks of the
 * thread that starts it; that costs each thread about 0.8 CPU-s (tsx's own loader thread, a
 * hand-off per module: docs/analysis/pipeline.md, session 12).
 */
function newWorker(settings: AnalysisSettings): Worker {
  const compiled = (globalThis as Record<symbol, string | undefined>)[compiledWorker];
  if (compiled) return new Worker(new URL(compiled), { workerData: settings });
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./analysis-worker.ts', import.meta.url).href);
  return new Worker(`import(${tsx}).then(({ register }) => { register(); return import(${entry}); });`, { eval: true, workerData: settings });
}

/** A frame's pixels as a buffer the worker can take over without a copy where the frame owns one. */
function transferable(frame: RgbFrame): { frame: RgbFrame; buffer: ArrayBuffer } {
  const { data } = frame;
  const owns = data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer;
  const pixels = owns ? data : data.slice();
  return { frame: { width: frame.width, height: frame.height, data: pixels }, buffer: pixels.buffer as ArrayBuffer };
}

export function startAnalysisThread(settings: AnalysisSettings): Promise<AnalysisThread> {
  const worker = newWorker(settings);
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const close = () => {
    // Queued until the worker listens: a thread still loading its models ends once they are loaded.
    worker.postMessage({ type: 'close' } satisfies ThreadRequest);
    worker.ref();
    return exited;
  };
  running.set(worker, close);
  void exited.then(() => running.delete(worker));
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
        // The worker exits by itself.
        rejectStart(new Error(message.error));
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
              const request: ThreadRequest = { type: 'analyse', id, frames: moved.map((m) => m.frame) };
              worker.postMessage(request, moved.map((m) => m.buffer));
            });
          },
          get broken() {
            return failure !== undefined;
          },
          keepAlive(on) {
            if (on) worker.ref();
            else worker.unref();
          },
          close,
        });
      }
    });
  });
}
