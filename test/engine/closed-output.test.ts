/**
 * Issue 13, item 4: `vbuild status | head -3` crashed with an EPIPE stack trace. A reader that
 * goes away must only cut the output short: no trace, the command's own exit code. The read side
 * of the real executable's pipe is closed before it writes anything, so every write it makes
 * fails (a reader that closes after the first chunk may come too late to fail any).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { done, REPO_ROOT, type Result } from '../helpers/rig.ts';
import { ToyRig } from './toy-rig.ts';

/** Runs vbuild in `rig` with the read side of `closed` (its stdout or stderr) shut from the start. */
function runWithClosed(rig: ToyRig, closed: 'stdout' | 'stderr', args: readonly string[]): Promise<Result> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/vbuild.js'), ...args], {
    cwd: rig.dir,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child[closed]!.destroy();
  // done() reads both streams; the destroyed one just gives nothing.
  return done(child);
}

describe('a reader that closes the pipe early', () => {
  let built: ToyRig;
  beforeAll(async () => {
    built = new ToyRig();
    expect((await built.run(['all'])).code).toBe(0);
  });
  afterAll(() => built?.cleanup());

  for (const args of [['status'], ['dag'], ['cat', 'upper', 'b'], ['--help'], ['-n'], ['-n', '--json'], ['doctor']]) {
    it(`vbuild ${args.join(' ')} with stdout closed: exits 0 without a trace`, async () => {
      const result = await runWithClosed(built, 'stdout', args);
      expect(result.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
      expect(result.code, result.stderr).toBe(0);
    });
  }

  it('vbuild --help with stdout and stderr closed exits 0', async () => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/vbuild.js'), '--help'], { cwd: built.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    child.stderr.destroy();
    expect(await new Promise((resolve) => child.on('close', resolve))).toBe(0);
  });

  it('a build with stderr (its progress lines) closed builds everything and exits 0', async () => {
    const rig = new ToyRig();
    try {
      const result = await runWithClosed(rig, 'stderr', ['all']);
      expect(result.code).toBe(0);
      expect(rig.takeRuns()).toHaveLength(10);
      expect(rig.read('out/total.txt')).toBe('17');
    } finally {
      rig.cleanup();
    }
  });
});
