import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { done, REPO_ROOT, until } from '../helpers/rig.ts';
import { ToyRig } from './toy-rig.ts';
import { scaled } from '../helpers/time-limits.ts';

let rig: ToyRig;
afterEach(() => rig?.cleanup());

const journalLines = (rig: ToyRig): number => {
  const work = path.join(rig.dir, 'cache/work');
  if (!existsSync(work)) return 0;
  let lines = 0;
  for (const entry of readdirSync(work, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) lines += readFileSync(path.join(entry.parentPath, entry.name), 'utf8').split('\n').length - 1;
  }
  return lines;
};

describe('safety (real child processes)', () => {
  it('kill -9 mid-build leaves nothing that looks fresh, and the journal resumes where it stopped', async () => {
    rig = new ToyRig({ 'a.mp4': 'alpha' });
    const child = rig.start(['steps', '--steps', '40', '--step-ms', '40']);
    const result = done(child);
    await until(() => journalLines(rig) >= 5);
    child.kill('SIGKILL');
    await result;
    // The dead process's lock is still there; the next vbuild sees its holder is gone and takes it.
    expect(existsSync(path.join(rig.dir, 'cache/vbuild.lock'))).toBe(true);

    const dry = JSON.parse((await rig.run(['steps', '--steps', '40', '--step-ms', '40', '--dry-run', '--json'])).stdout);
    expect(dry.builds).toContainEqual({ rule: 'steps', item: 'a.mp4', stale: true, reasons: ['never built'], action: 'run' });
    rig.takeRuns();

    // The next run takes over the dead process's lock, clears its staging and resumes the journal.
    // step_ms is not part of the key: the resumed run may go at full speed.
    const resumed = await rig.run(['steps', '--steps', '40']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const [line] = rig.takeRuns();
    const resumedFrom = Number(/from (\d+)/.exec(line!)![1]);
    expect(resumedFrom).toBeGreaterThanOrEqual(5);
    expect(readdirSync(path.join(rig.dir, 'cache/tmp'))).toEqual([]);

    const journal = (await rig.run(['cat', 'steps', 'a.mp4'])).stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(journal.map((r: { step: number }) => r.step)).toEqual([...Array(40).keys()]);

    // Byte-identical to an uninterrupted run of the same build.
    const clean = new ToyRig({ 'a.mp4': 'alpha' });
    try {
      await clean.run(['steps', '--steps', '40']);
      expect((await clean.run(['cat', 'steps', 'a.mp4'])).stdout).toBe((await rig.run(['cat', 'steps', 'a.mp4'])).stdout);
    } finally {
      clean.cleanup();
    }
  });

  it('refuses a second vbuild on the same cache, naming the holder; --wait waits for it', async () => {
    rig = new ToyRig({ 'a.mp4': 'alpha' });
    rig.write('runs.log.hold', '');
    const first = rig.start(['steps']);
    const firstDone = done(first);
    await until(() => rig.exists('runs.log') && rig.read('runs.log').includes('steps a.mp4 from 0'));

    const refused = await rig.run(['all']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`in use by vbuild pid ${first.pid}`);

    const status = await rig.run(['status']);
    expect(status.stdout).toContain(`vbuild pid ${first.pid} is building`);
    expect(status.stdout).toMatch(/steps\s+0\/1/);

    const waiting = rig.start(['all', '--wait']);
    let waitingErr = '';
    waiting.stderr!.on('data', (chunk: Buffer) => (waitingErr += chunk.toString()));
    const waited = done(waiting);
    await until(() => waitingErr.includes(`waiting for pid ${first.pid}`));
    rig.write('runs.log', '');
    // Let the first build finish: the waiting one then takes the lock and builds the rest.
    unlinkSync(path.join(rig.dir, 'runs.log.hold'));
    expect((await firstDone).code).toBe(0);
    expect((await waited).code).toBe(0);
    expect(rig.takeRuns()).toEqual(['length a.mp4', 'total -']);
  });

  it('of many processes finding the same dead lock at once, exactly one takes it over', async () => {
    rig = new ToyRig({ 'a.mp4': 'alpha' });
    const lockFile = path.join(rig.dir, 'cache/vbuild.lock');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    rig.write('cache/vbuild.lock', JSON.stringify({ pid: dead, host: hostname(), startedAt: 'earlier', command: 'vbuild all' }));
    const start = path.join(rig.dir, 'go');
    const children = Array.from({ length: 8 }, () =>
      spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/fixtures/take-lock.ts'), lockFile, start], { cwd: REPO_ROOT }),
    );
    let exited = 0;
    const outputs = children.map((child) => {
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
      return done(child).then((result) => {
        exited++;
        return { ...result, out };
      });
    });
    // Start them together once every child polls for the signal; the winner holds the lock until
    // the seven others have tried and exited (or a wrong second winner would hold it too).
    const ready = () => readdirSync(rig.dir).filter((name) => name.startsWith('go.ready.')).length;
    await until(() => ready() === children.length, 600_000);
    rig.write('go', '');
    await until(() => exited >= children.length - 1, 600_000);
    rig.write('go.release', '');
    const results = await Promise.all(outputs);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const winners = results.filter((result) => result.out.startsWith('got'));
    expect(winners.map((result) => result.out), results.map((result) => result.out).join('')).toHaveLength(1);
    expect(results.filter((result) => result.out === 'locked\n')).toHaveLength(7);
    expect(existsSync(`${lockFile}.takeover`)).toBe(false);
    // Eight tsx processes starting at once on two busy cores can take minutes.
  }, scaled(600_000));

  it('a journal whose last line was torn by a kill drops that line and keeps the rest', async () => {
    const { openJournal } = await import('../../src/engine/journal.ts');
    rig = new ToyRig({});
    const file = rig.write('j.jsonl', '{"n":0}\n{"n":1}\n{"n":');
    const journal = await openJournal<{ n: number }>(file);
    expect(journal.existing).toEqual([{ n: 0 }, { n: 1 }]);
    await journal.append({ n: 2 });
    await journal.close();
    expect(rig.read('j.jsonl')).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
  });
});
