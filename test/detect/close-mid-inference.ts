/**
 * Run by analysis-shutdown.test.ts in a process of its own, since what it guards against aborts
 * the whole process: `node --import tsx close-mid-inference.ts <pack folder> <video> <ending>`.
 *
 * Ends analysis threads while an inference is in flight, as detect does when it is interrupted or
 * its decoder fails. `close`: six threads, each closed while its second batch is being analysed;
 * prints what became of the batches, and exits 0. `exit`: closes every thread, then exits 130, as a
 * second Ctrl-C does. `exit-other-copy`: the same with the thread started from a second copy of
 * the module, as vbuild's detect starts it from the config's copy while the CLI closes them.
 * `exit-starting`: the same with another thread started while the first one is being closed.
 */
import { tsImport } from 'tsx/esm/api';
import { closeAnalysisThreads, startAnalysisThread } from '../../src/detect/analysis-thread.ts';
import { resolvePack } from '../../src/faces/packs.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import type { RgbFrame } from '../../src/faces/types.ts';

const [packDir, video, ending] = process.argv.slice(2) as [string, string, 'close' | 'exit' | 'exit-other-copy' | 'exit-starting'];
const settings = { pack: await resolvePack(packDir), device: 'cpu', threads: 1, detSize: 640, scoreThreshold: 0.3, batchSize: 4 } as const;

const frames: RgbFrame[] = [];
for await (const frame of decodeFrames(video, { fps: 2, pixFmt: 'rgb24' })) if (frames.push(frame) === 4) break;
/** A batch of its own: the thread takes over the pixel buffers it is given. */
const batch = () => frames.map((frame) => ({ ...frame, data: Uint8Array.from(frame.data) }));

/** startAnalysisThread of a second copy of the module: tsImport loads under a namespace of its own, as vbuild loads a config. */
async function otherCopysStart(): Promise<typeof startAnalysisThread> {
  const other = (await tsImport('../../src/detect/analysis-thread.ts', import.meta.url)) as { startAnalysisThread: typeof startAnalysisThread };
  if (other.startAnalysisThread === startAnalysisThread) throw new Error('tsImport gave this copy of the module, not a second one');
  return other.startAnalysisThread;
}

const settle = (outcome: Promise<unknown>) => outcome.then((value) => `analysed ${(value as unknown[]).length}`, (error: Error) => `rejected: ${error.message}`);

/** Closes at several points of the second batch: preparing its frames (JavaScript) or inside an inference. */
const CLOSE_AFTER_MS = [0, 25, 50, 75, 100, 150];

if (ending === 'close') {
  for (const [round, ms] of CLOSE_AFTER_MS.entries()) {
    const thread = await startAnalysisThread(settings);
    const batches = [thread.analyse(batch()), thread.analyse(batch()), thread.analyse(batch())].map(settle);
    // The worker takes up the second batch as soon as it has sent the first one's outcomes.
    await batches[0];
    await new Promise((resolve) => setTimeout(resolve, ms));
    await thread.close();
    console.log(JSON.stringify({ round, batches: await Promise.all(batches), broken: thread.broken }));
  }
} else if (ending === 'exit-starting') {
  const thread = await startAnalysisThread(settings);
  const batches = [thread.analyse(batch()), thread.analyse(batch())].map(settle);
  await batches[0];
  // Another build starts its thread while the others end (as detect of a second video may, still
  // setting up when the second signal came): it must be ended too before the process exits.
  const closing = closeAnalysisThreads();
  let started: Awaited<ReturnType<typeof startAnalysisThread>> | undefined;
  void startAnalysisThread(settings).then((other) => (started = other), () => undefined);
  await closing;
  // Ended too, not left loading its models for process.exit to stop.
  console.log(JSON.stringify({ startedWhileClosing: started === undefined ? 'still starting' : started.broken ? 'ended' : 'running' }));
  process.exit(130);
} else {
  const start = ending === 'exit' ? startAnalysisThread : await otherCopysStart();
  const thread = await start(settings);
  const batches = [thread.analyse(batch()), thread.analyse(batch())].map(settle);
  await batches[0];
  await new Promise((resolve) => setTimeout(resolve, 50));
  await closeAnalysisThreads();
  process.exit(130);
}
