/** Runs inside the analyzer worker (see worker-analyzer.ts): one analyzer, one request at a time. */

import { parentPort, workerData } from 'node:worker_threads';
import { createAnalyzer } from './analyzer.ts';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.ts';

const port = parentPort!;
const { pack, options } = workerData as WorkerSetup;
const reply = (message: WorkerReply) => port.postMessage(message);

try {
  const analyzer = await createAnalyzer(pack, options);
  const { provider, notices, notes, poseSource } = analyzer;
  // Requests queue on the port and are answered in order; inference is synchronous anyway.
  let queue = Promise.resolve();
  port.on('message', ({ id, frames }: WorkerRequest) => {
    queue = queue.then(async () => {
      try {
        reply({ kind: 'faces', id, faces: await analyzer.detect(frames) });
      } catch (error) {
        reply({ kind: 'failed', id, message: (error as Error).message });
      }
    });
  });
  reply({ kind: 'ready', provider, notices, notes, poseSource });
} catch (error) {
  reply({ kind: 'failed', id: -1, message: (error as Error).message });
}
