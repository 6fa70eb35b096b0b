/**
 * Issue 13, item 3, on the toy pipeline (fast; the real pipeline's sweep is in
 * test/reliability/signals.test.ts): SIGINT and SIGTERM stop a build cleanly, exit 130, release
 * the lock, and the next run resumes the journal where the interrupted one stopped.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { done, until } from '../helpers/rig.ts';
import { ToyRig } from './toy-rig.ts';

let rig: ToyRig;
afterEach(() => rig?.cleanup());

describe('a signal during a build', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: the build stops, exits 130, and the next run resumes`, async () => {
      rig = new ToyRig({ 'a.mp4': 'alpha' });
      // The steps rule holds before its first journal line while this file exists.
      rig.write('runs.log.hold', '');
      const child = rig.start(['steps', '--steps', '5']);
      const finished = done(child);
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await until(() => rig.exists('runs.log') && rig.read('runs.log').includes('steps a.mp4 from 0'), 60_000);
      child.kill(signal);
      await until(() => stderr.includes(`vbuild: ${signal}: stopping`), 60_000);
      rmSync(path.join(rig.dir, 'runs.log.hold'));
      const result = await finished;
      expect(result.code, result.stderr).toBe(130);
      expect(result.stderr).toContain('[steps] a.mp4: FAILED: interrupted');
      expect(rig.exists('cache/vbuild.lock')).toBe(false);
      // The step under way when the signal came was journalled; the rest were not.
      rig.takeRuns();
      const resumed = await rig.run(['steps', '--steps', '5']);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(rig.takeRuns()).toEqual(['steps a.mp4 from 1']);
    });
  }
});
