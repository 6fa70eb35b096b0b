import { readdirSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ToyRig } from './toy-rig.ts';

let rig: ToyRig;
afterEach(() => rig?.cleanup());

const objectCount = (rig: ToyRig) =>
  readdirSync(path.join(rig.dir, 'cache/objects'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;

describe('inspection and maintenance commands', () => {
  it('cat prints an output, and says what exists when asked for something else', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    expect((await rig.run(['cat', 'upper', 'b'])).stdout).toBe('BETA!');
    expect((await rig.run(['cat', 'total'])).stdout).toBe('17');
    const wrongFile = await rig.run(['cat', 'upper', 'b.mp4', 'nope.txt']);
    expect(wrongFile.code).toBe(2);
    expect(wrongFile.stderr).toContain('upper@b.mp4 has no output "nope.txt"; outputs: upper.txt');
    const wrongItem = await rig.run(['cat', 'upper', 'zzz']);
    expect(wrongItem.stderr).toContain('no selected input is named "zzz"');
  });

  it('dag prints the rules in dependency order with their deps and params', async () => {
    rig = new ToyRig();
    const dag = JSON.parse((await rig.run(['dag', '--json'])).stdout).rules;
    expect(dag.map((r: { rule: string }) => r.rule)).toEqual(['upper', 'steps', 'length', 'total']);
    expect(dag[3]).toMatchObject({ rule: 'total', per: 'batch', deps: ['length'] });
    expect(dag[0].params).toEqual(['suffix', 'trim', 'prefix_file']);
  });

  it('status reports the last run when none is running', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    const status = await rig.run(['status']);
    expect(status.stdout).toContain('no vbuild is building');
    expect(status.stdout).toMatch(/upper\s+3\/3\s+\(3 ran, 0 restored, 0 fresh\)/);
  });

  it('gc keeps what traces and the run cache name, and deletes the rest', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    const before = objectCount(rig);
    const kept = await rig.run(['gc']);
    expect(kept.stdout).toContain('removed 0 objects');
    expect(objectCount(rig)).toBe(before);

    // An object nobody names (e.g. left by a build whose trace was lost) goes.
    rig.write('cache/objects/ff/ffffffffffffffff', 'orphan');
    const collected = await rig.run(['gc']);
    expect(collected.stdout).toContain('removed 1 objects');
    expect(objectCount(rig)).toBe(before);
    // Everything still fresh afterwards.
    const dry = JSON.parse((await rig.run(['--dry-run', '--json'])).stdout);
    expect(dry.builds.filter((b: { stale: boolean }) => b.stale)).toEqual([]);
  });

  it('gc --older-than forgets run-cache entries unused that long, never the current builds', async () => {
    rig = new ToyRig();
    await rig.run(['all', '--suffix', '!']);
    await rig.run(['all', '--suffix', '?']);
    rig.takeRuns();

    // Journals of builds interrupted long ago and just now.
    const longAgo = new Date(Date.now() - 40 * 86_400_000);
    for (const key of ['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbb']) rig.write(`cache/work/${key}/steps.jsonl`, '{"step":0}\n');
    utimesSync(path.join(rig.dir, 'cache/work/aaaaaaaaaaaaaaaa/steps.jsonl'), longAgo, longAgo);
    utimesSync(path.join(rig.dir, 'cache/work/aaaaaaaaaaaaaaaa'), longAgo, longAgo);

    // Used minutes ago: a month's bound keeps them, so going back is still free.
    const month = await rig.run(['gc', '--older-than', '30d']);
    expect(month.stdout).toMatch(/forgot 0 run-cache entries .*; removed 0 objects .*; removed 1 journals of interrupted builds/);
    expect(rig.exists('cache/work/aaaaaaaaaaaaaaaa')).toBe(false);
    expect(rig.exists('cache/work/bbbbbbbbbbbbbbbb/steps.jsonl')).toBe(true);
    // 0: everything but what the current builds are; the '!' builds' own outputs go.
    const all = await rig.run(['gc', '--older-than', '0']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/forgot [1-9]\d* run-cache entries .*; removed [1-9]\d* objects/);
    const dry = JSON.parse((await rig.run(['--dry-run', '--json', '--suffix', '?'])).stdout);
    expect(dry.builds.filter((b: { stale: boolean }) => b.stale)).toEqual([]);
    // Going back now runs again what the run cache no longer holds (total: same bytes, early cutoff).
    const back = await rig.run(['all', '--suffix', '!']);
    expect(back.stderr).not.toContain('restored from the run cache');
    expect(rig.takeRuns()).toEqual([
      'length a.mp4', 'length b.mp4', 'length c.mp4',
      'steps a.mp4 from 0', 'steps b.mp4 from 0', 'steps c.mp4 from 0',
      'upper a.mp4', 'upper b.mp4', 'upper c.mp4',
    ]);

    const bad = await rig.run(['gc', '--older-than', '3 weeks']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--older-than takes an age like 30d, 12h, 90m or 0, got "3 weeks"');
  });

  it('republishes a deleted published file from the store without running the rule', async () => {
    rig = new ToyRig();
    await rig.run(['all']);
    rig.takeRuns();
    (await import('node:fs')).unlinkSync(path.join(rig.dir, 'out/total.txt'));
    const dry = JSON.parse((await rig.run(['--dry-run', '--json'])).stdout);
    expect(dry.builds.find((b: { rule: string }) => b.rule === 'total').reasons).toEqual([
      `output missing: ${path.join(rig.dir, 'out/total.txt')}`,
    ]);
    await rig.run(['all']);
    expect(rig.takeRuns()).toEqual([]);
    expect(rig.read('out/total.txt')).toBe('17');
  });

  it('a config mistake is one clear line naming the rule, exit code 2', async () => {
    rig = new ToyRig();
    rig.configure(`, extraRules: [{ name: 'broken', per: 'video', version: 1, deps: ['missing'], run: async () => {} }]`);
    const result = await rig.run(['all']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('rule "broken" depends on unknown rule "missing"');
  });
});
