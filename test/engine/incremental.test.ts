import { execFileSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { hashFile } from '../../src/engine/hash.ts';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ToyRig } from './toy-rig.ts';

let rig: ToyRig;
afterEach(() => rig?.cleanup());

/** The stored object whose content is `text`. */
function objectHolding(rig: ToyRig, text: string): string {
  const objects = path.join(rig.dir, 'cache/objects');
  const file = readdirSync(objects, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .find((each) => rig.read(path.relative(rig.dir, each)) === text);
  expect(file).toBeDefined();
  return file!;
}

const everything = [
  'length a.mp4', 'length b.mp4', 'length c.mp4',
  'steps a.mp4 from 0', 'steps b.mp4 from 0', 'steps c.mp4 from 0',
  'total -',
  'upper a.mp4', 'upper b.mp4', 'upper c.mp4',
];

describe('incremental builds (real vbuild processes on a toy pipeline)', () => {
  it('runs everything the first time and nothing the second', async () => {
    rig = new ToyRig();
    const first = await rig.run(['all']);
    expect(first.code, first.stderr).toBe(0);
    expect(rig.takeRuns()).toEqual(everything);
    expect(rig.read('out/total.txt')).toBe(String('ALPHA!'.length + 'BETA!'.length + 'GAMMA!'.length));

    const second = await rig.run(['all']);
    expect(second.code).toBe(0);
    expect(rig.takeRuns()).toEqual([]);
    expect(second.stderr).toContain('0 ran, 0 restored from cache, 10 fresh');
  });

  it('reruns only the chain of an input whose content changed; a bare touch reruns nothing', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    rig.takeRuns();

    const file = path.join(rig.dir, 'videos/b.mp4');
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    await rig.run(['all']);
    expect(rig.takeRuns()).toEqual([]);

    rig.write('videos/b.mp4', 'beta, longer');
    const result = await rig.run(['all']);
    expect(result.code).toBe(0);
    expect(rig.takeRuns()).toEqual(['length b.mp4', 'steps b.mp4 from 0', 'total -', 'upper b.mp4']);
  });

  it('a changed param reruns the rules declaring it and their dependents only', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    rig.takeRuns();
    // `steps` is declared by the steps rule alone, which nothing depends on.
    await rig.run(['all', '--steps', '4']);
    expect(rig.takeRuns()).toEqual(['steps a.mp4 from 0', 'steps b.mp4 from 0', 'steps c.mp4 from 0']);
    // step_ms says how to run, not what to write (inKey: false): no rebuild.
    await rig.run(['all', '--steps', '4', '--step-ms', '1']);
    expect(rig.takeRuns()).toEqual([]);
  });

  it('a param added to a rule with inKey unless-default keeps every earlier build; another value rebuilds', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    rig.takeRuns();
    rig.configure(', shout: true');
    const added = await rig.run(['all']);
    expect(added.code, added.stderr).toBe(0);
    expect(rig.takeRuns()).toEqual([]);
    await rig.run(['all', '--shout']);
    expect(rig.takeRuns()).toEqual(everything);
    expect(rig.read('out/a/upper.txt')).toBe('ALPHA!!');
    // Back to the default: the builds from before the param existed, restored without running.
    const back = await rig.run(['all']);
    expect(rig.takeRuns()).toEqual([]);
    expect(back.stderr).toContain('0 ran');
    expect(rig.read('out/a/upper.txt')).toBe('ALPHA!');
  });

  it('gives a build the outputs of the last build of its rule and item, whatever that one\'s key was', async () => {
    rig = new ToyRig({ 'a.mp4': 'alpha' });
    await rig.run(['all']);
    await rig.run(['all', '--suffix', '?']);
    await rig.run(['all', '--suffix', '?', '--trim']);
    expect(rig.read('runs.log.previous').split('\n').filter(Boolean)).toEqual(['upper a.mp4 none', 'upper a.mp4 ALPHA!', 'upper a.mp4 ALPHA?']);
  });

  it('stops propagation when a rebuilt output is byte-identical (early cutoff)', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    rig.takeRuns();
    // Trimming changes nothing for inputs without surrounding spaces: upper reruns, its dependents do not.
    const result = await rig.run(['all', '--trim']);
    expect(result.code).toBe(0);
    expect(rig.takeRuns()).toEqual(['upper a.mp4', 'upper b.mp4', 'upper c.mp4']);
    expect(result.stderr).toContain('(output unchanged)');
  });

  it('serves a return to earlier param values from the run cache without running', async () => {
    rig = new ToyRig();
    await rig.run(['all', '--suffix', '!']);
    await rig.run(['all', '--suffix', '?']);
    expect(rig.read('out/total.txt')).toBe('17');
    rig.takeRuns();

    const dry = await rig.run(['--dry-run', '--suffix', '!']);
    expect(dry.stdout).toContain('upper@a.mp4: param suffix: ? -> ! (restored from the run cache)');
    expect(dry.stdout).toContain('9 of 10 builds are stale: 0 to run, 9 to restore from the run cache, 0 after their dependencies');
    const back = await rig.run(['all', '--suffix', '!']);
    expect(back.code).toBe(0);
    expect(rig.takeRuns()).toEqual([]);
    expect(back.stderr).toContain('restored from the run cache (param suffix: ? -> !)');
    expect(rig.read('out/total.txt')).toBe('17');
  });

  it('a rule version bump reruns that rule and what changed downstream', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    rig.takeRuns();
    rig.configure(', upperVersion: 2');
    const dry = await rig.run(['--dry-run', '--json']);
    const builds = JSON.parse(dry.stdout).builds as { rule: string; item: string | null; stale: boolean; reasons: string[] }[];
    expect(builds.find((b) => b.rule === 'upper' && b.item === 'a.mp4')?.reasons).toEqual(['rule version 1 -> 2']);
    await rig.run(['all']);
    // Same bytes out of the new version: nothing downstream reruns.
    expect(rig.takeRuns()).toEqual(['upper a.mp4', 'upper b.mp4', 'upper c.mp4']);
  });

  it('keeps going past a failing item, skips its dependents, builds the batch over the rest, and exits non-zero', async () => {
    rig = new ToyRig({ 'a.mp4': 'alpha', 'bad.mp4': 'FAIL here', 'c.mp4': 'gamma' });
    const result = await rig.run(['all']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('[upper] bad.mp4: FAILED: bad.mp4 says FAIL');
    const runs = rig.takeRuns();
    expect(runs).toContain('length a.mp4');
    expect(runs).toContain('length c.mp4');
    expect(runs).not.toContain('length bad.mp4');
    expect(result.stderr).toMatch(/1 failed, 2 skipped after a failure/);
    // The batch rule goes on over the inputs that built, and says which it left out.
    expect(runs).toContain('total -');
    expect(result.stderr).toContain('[total] (batch): over 2 of 3 inputs; left out after a failure: bad.mp4');
    expect(rig.read('out/total.txt')).toBe(String('ALPHA!'.length + 'GAMMA!'.length));

    // Fixed input: only its chain and the batch run.
    rig.write('videos/bad.mp4', 'fine now');
    const again = await rig.run(['all']);
    expect(again.code).toBe(0);
    expect(rig.takeRuns()).toEqual(['length bad.mp4', 'steps bad.mp4 from 0', 'total -', 'upper bad.mp4']);
  });

  it('targets a rule (with what it needs) or one rule@item', async () => {
    rig = new ToyRig();
    await rig.run(['length']);
    expect(rig.takeRuns()).toEqual(['length a.mp4', 'length b.mp4', 'length c.mp4', 'upper a.mp4', 'upper b.mp4', 'upper c.mp4']);
    await rig.run(['steps@b']);
    expect(rig.takeRuns()).toEqual(['steps b.mp4 from 0']);
  });

  it('rebuilds an output that was deleted from the cache, naming it in the dry run', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    rig.takeRuns();
    const length = JSON.parse((await rig.run(['--dry-run', '--json'])).stdout).builds;
    expect(length.every((b: { stale: boolean }) => !b.stale)).toBe(true);
    const totalObject = objectHolding(rig, '17');
    unlinkSync(totalObject);
    const dry = await rig.run(['--dry-run']);
    expect(dry.stdout).toContain(`total: output missing: ${totalObject}`);
    await rig.run(['all']);
    expect(rig.takeRuns()).toEqual(['total -']);
    expect(statSync(path.join(rig.dir, 'out/total.txt')).isFile()).toBe(true);
  });
});

describe('--verify', () => {
  it('finds an input edit and a damaged stored object that kept size and mtime, and rebuilds them', async () => {
    rig = new ToyRig();
    // Whole seconds, so that setting them again restores the mtimes exactly.
    const input = path.join(rig.dir, 'videos/b.mp4');
    utimesSync(input, 1_700_000_000, 1_700_000_000);
    await rig.run(['all']);
    rig.takeRuns();
    rig.write('videos/b.mp4', 'betA');
    utimesSync(input, 1_700_000_000, 1_700_000_000);
    const total = objectHolding(rig, '17');
    const { mtimeNs } = statSync(total, { bigint: true });
    chmodSync(total, 0o644);
    writeFileSync(total, '18');
    // To the nanosecond, which utimes cannot do.
    execFileSync('touch', ['-m', '-d', `@${mtimeNs / 1_000_000_000n}.${String(mtimeNs % 1_000_000_000n).padStart(9, '0')}`, total]);

    expect((await rig.run(['all'])).code).toBe(0);
    expect(rig.takeRuns()).toEqual([]);
    const dry = await rig.run(['--dry-run', '--verify']);
    expect(dry.stdout).toContain('upper@b.mp4: input changed: b.mp4');
    const verified = await rig.run(['all', '--verify']);
    expect(verified.code, verified.stderr).toBe(0);
    // 'betA' upper-cases to what 'beta' gave: early cutoff spares the rest of b's chain.
    expect(rig.takeRuns()).toEqual(['total -', 'upper b.mp4']);
    expect(rig.read('out/total.txt')).toBe('17');
    expect(await hashFile(total)).toBe(path.basename(total));
  });
});

describe('content keys', () => {
  it('a renamed input keeps its artifacts: restored from the run cache, nothing runs', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    rig.takeRuns();
    (await import('node:fs')).renameSync(path.join(rig.dir, 'videos/b.mp4'), path.join(rig.dir, 'videos/renamed b.mp4'));
    const dry = JSON.parse((await rig.run(['--dry-run', '--json'])).stdout);
    const upper = dry.builds.find((b: { rule: string; item: string }) => b.rule === 'upper' && b.item === 'renamed b.mp4');
    expect(upper).toMatchObject({ stale: true, reasons: ['never built'], action: 'restore' });
    const total = dry.builds.find((b: { rule: string }) => b.rule === 'total');
    expect(total).toMatchObject({ stale: true, action: 'run' });
    const result = await rig.run(['all']);
    expect(result.code).toBe(0);
    // The batch rule sees another item id, so it reruns; no per-item rule does.
    expect(rig.takeRuns()).toEqual(['total -']);
    expect(result.stderr).toContain('[upper] renamed b.mp4: restored from the run cache (never built)');
  });
});

describe('reads: a rule keyed on some outputs of a dependency', () => {
  it('does not rebuild when only an output it does not read changes', async () => {
    rig = new ToyRig({ 'a.mp4': 'alpha' });
    const log = JSON.stringify(path.join(rig.dir, 'runs.log'));
    rig.configure(`, extraRules: [
      { name: 'two', per: 'video', version: 1, params: { note: { type: 'string', default: 'x', doc: 'note' } },
        async run(ctx) {
          const { writeFileSync } = await import('node:fs');
          writeFileSync(ctx.outDir + '/plan.txt', 'same plan');
          writeFileSync(ctx.outDir + '/notes.txt', String(ctx.params.note));
        } },
      { name: 'reader', per: 'video', version: 1, deps: ['two'], reads: { two: ['plan.txt'] }, readsItem: false,
        async run(ctx) {
          const { appendFileSync, copyFileSync } = await import('node:fs');
          appendFileSync(${log}, 'reader ' + Object.keys(ctx.deps.two.files).join(',') + '\\n');
          copyFileSync(ctx.deps.two.files['plan.txt'], ctx.outDir + '/copy.txt');
        } },
    ]`);
    await rig.run(['reader']);
    expect(rig.takeRuns()).toEqual(['reader plan.txt']);
    const changed = await rig.run(['reader', '--note', 'y']);
    expect(changed.stderr).toContain('[two] a.mp4: running (param note: x -> y)');
    expect(rig.takeRuns()).toEqual([]);
  });
});

describe('filters and batch rules', () => {
  it('with --only, batch rules are built over the selection into out/selection/, leaving the whole folder\'s alone, and a full run removes them', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    rig.takeRuns();
    rig.write('videos/a.mp4', 'alpha, changed');
    const result = await rig.run(['all', '--only', 'a*']);
    expect(result.code, result.stderr).toBe(0);
    expect(rig.takeRuns()).toEqual(['length a.mp4', 'steps a.mp4 from 0', 'total -', 'upper a.mp4']);
    expect(rig.read('out/selection/total.txt')).toBe(String('ALPHA, CHANGED!'.length));
    expect(rig.read('out/total.txt')).toBe('17');
    expect(result.stderr).toContain(`outputs over the 1 selected inputs: ${path.join(rig.dir, 'out/selection/total.txt')}`);

    // The batch key holds the selected items: the same selection is fresh, another replaces it,
    // and going back to the first restores it from the run cache.
    await rig.run(['all', '--only', 'a*']);
    expect(rig.takeRuns()).toEqual([]);
    await rig.run(['all', '--only', 'b*']);
    expect(rig.takeRuns()).toEqual(['total -']);
    expect(rig.read('out/selection/total.txt')).toBe(String('BETA!'.length));
    const back = await rig.run(['total', '--only', 'a*']);
    expect(rig.takeRuns()).toEqual([]);
    expect(back.stderr).toContain('[total] (batch): restored from the run cache');
    expect(rig.read('out/selection/total.txt')).toBe(String('ALPHA, CHANGED!'.length));
    expect(rig.read('out/total.txt')).toBe('17');

    // A run over every input rebuilds the whole folder's and removes the selection's, which it supersedes.
    const whole = await rig.run(['all']);
    expect(whole.code, whole.stderr).toBe(0);
    expect(rig.takeRuns()).toEqual(['total -']);
    expect(rig.read('out/total.txt')).toBe(String('ALPHA, CHANGED!'.length + 'BETA!'.length + 'GAMMA!'.length));
    expect(rig.exists('out/selection')).toBe(false);
  });
});
