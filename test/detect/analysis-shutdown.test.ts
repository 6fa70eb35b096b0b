/**
 * Issue 13, item 3: a worker thread stopped from outside inside an onnxruntime-node inference
 * aborted the whole process ("terminate called after throwing an instance of 'Napi::Error'", exit
 * 134). Analysis threads now end themselves between inferences. The cases run in a child process
 * (close-mid-inference.ts), since the failure takes the process down with it.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { done, REPO_ROOT } from '../helpers/rig.ts';
import { lacks, TEST_MODELS } from '../helpers/test-data.ts';
import { corpusVideo, removePacks, scrfdPack } from './fixtures.ts';

function closeMidInference(ending: 'close' | 'exit' | 'exit-other-copy' | 'exit-starting') {
  const script = path.join(REPO_ROOT, 'test/detect/close-mid-inference.ts');
  const video = corpusVideo('hamilton_whitehouse_cuts_640x360.mp4');
  return done(spawn(process.execPath, ['--import', 'tsx', script, scrfdPack(), video, ending], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
}

describe.skipIf(lacks(TEST_MODELS, 'ending analysis threads mid-inference'))('ending analysis threads while an inference runs', () => {
  afterAll(removePacks);

  it('close() lets the batch being analysed finish, rejects the queued ones, and the process lives on', async () => {
    const result = await closeMidInference('close');
    expect(result.stderr).not.toMatch(/terminate called|Napi::Error/);
    expect(result.code, result.stderr).toBe(0);
    const rounds = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { batches: string[]; broken: boolean });
    expect(rounds).toHaveLength(6);
    for (const { batches, broken } of rounds) {
      expect(batches.slice(0, 2)).toEqual(['analysed 4', 'analysed 4']);
      expect(batches[2]).toMatch(/^analysed 4$|^rejected: face analysis worker exited \(code 0\)$/);
      expect(broken).toBe(true);
    }
  });

  it.each(['exit', 'exit-other-copy'] as const)('process.exit after closeAnalysisThreads() exits with its own code, not an abort (%s)', async (ending) => {
    const result = await closeMidInference(ending);
    expect(result.stderr).not.toMatch(/terminate called|Napi::Error/);
    expect(result.code, result.stderr).toBe(130);
  });

  it('closeAnalysisThreads() also ends a thread started while it waits for the others', async () => {
    const result = await closeMidInference('exit-starting');
    expect(result.stderr).not.toMatch(/terminate called|Napi::Error/);
    expect(result.code, result.stderr).toBe(130);
    expect(JSON.parse(result.stdout.trim())).toEqual({ startedWhileClosing: 'ended' });
  });
});
