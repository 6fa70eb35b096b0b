/**
 * The analyzer in a worker thread. onnxruntime-node runs each inference synchronously on the
 * calling JavaScript thread, so an in-process analyzer blocks its event loop for the whole
 * inference; hosted in a worker it leaves the caller free to decode the next frames, and several
 * workers (a session each) use several cores with detectors whose batch is fixed at 1.
 */

import { Worker } from 'node:worker_threads';
import type { Analyzer, AnalyzerOptions } from './analyzer.ts';
import type { ModelPack } from './pack.ts';
import type { Face, RgbFrame } from './types.ts';
import type { AnalyzerReady, WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.ts';

export interface WorkerAnalyzer extends Analyzer {
  /** Stops the worker; pending detections are rejected. */
  close(): Promise<void>;
}

const ENTRY = new URL('./worker-entry.ts', import.meta.url).href;
// A worker starts without the TypeScript loader of its parent: it registers tsx, then loads the entry.
const BOOT = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(ENTRY)}); })`;

export async function createWorkerAnalyzer(pack: ModelPack, options: AnalyzerOptions): Promise<WorkerAnalyzer> {
  const worker = new Worker(BOOT, { eval: true, workerData: { pack, options } satisfies WorkerSetup });
  const pending = new Map<number, { resolve: (faces: Face[][]) => void; reject: (error: Error) => void }>();
  let failure: Error | null = null;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(failure);
    pending.clear();
  };

  const ready = await new Promise<AnalyzerReady>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (reply: WorkerReply) => {
      worker.off('error', reject);
      if (reply.kind === 'ready') resolve(reply);
      else reject(new Error(reply.kind === 'failed' ? reply.message : `unexpected ${reply.kind} from the analyzer worker`));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });

  worker.on('message', (reply: WorkerReply) => {
    if (reply.kind !== 'faces' && reply.kind !== 'failed') return;
    const request = pending.get(reply.id);
    pending.delete(reply.id);
    if (reply.kind === 'faces') request?.resolve(reply.faces);
    else request?.reject(new Error(reply.message));
    // Idle, the worker must not keep the process alive; busy, it must.
    if (pending.size === 0) worker.unref();
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`analyzer worker exited (code ${code})`)));
  worker.unref();

  let nextId = 0;
  return {
    pack,
    provider: ready.provider,
    notices: ready.notices,
    notes: ready.notes,
    poseSource: ready.poseSource,
    detect(frames: readonly RgbFrame[]): Promise<Face[][]> {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      // Exact-size copies (decoded frames are often views into larger chunks; Buffer#slice would
      // share them) are moved to the worker, leaving the caller's frames intact.
      const copies = frames.map((f) => ({ width: f.width, height: f.height, data: new Uint8Array(f.data) }));
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, frames: copies } satisfies WorkerRequest, copies.map((c) => c.data.buffer));
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}
