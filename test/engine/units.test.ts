import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, paramReader, validateConfig } from '../../src/engine/config.ts';
import { contextReaders } from '../../src/engine/context-readers.ts';
import { discoverItems } from '../../src/engine/items.ts';
import { openJournal } from '../../src/engine/journal.ts';
import { JsonlTable } from '../../src/engine/jsonl-table.ts';
import { defineRule, type Config, type Rule, type VideoRule } from '../../src/engine/rule.ts';
import { ResourcePools } from '../../src/engine/scheduler.ts';
import { canonicalJson, hashFile } from '../../src/engine/hash.ts';
import { StatCache, type StatEntry } from '../../src/engine/stat-cache.ts';
import { publishFiles } from '../../src/engine/publish.ts';

const rule = (name: string, extra: Partial<VideoRule> = {}): VideoRule =>
  defineRule({ name, per: 'video', version: 1, run: async () => undefined, ...extra });
const config = (rules: Rule[]): Config => ({ input: { dir: '.', include: ['*'] }, output: 'out', cache: 'cache', rules });

describe('config validation names the rule at fault', () => {
  it.each([
    [[rule('a', { deps: ['nope'] })], 'rule "a" depends on unknown rule "nope"'],
    [[rule('a', { deps: ['b'] }), rule('b', { deps: ['a'] })], 'rule "a" is in a dependency cycle: a -> b -> a'],
    [[rule('a'), rule('a')], 'rule "a" is defined twice'],
    [[rule('a', { params: { x: { type: 'number', doc: 'x' } as never } })], 'rule "a": param "x" has no default'],
    [[rule('a', { params: { x: { default: 1, doc: 'x' } as never } })], 'rule "a": param "x" needs a type'],
    [[rule('a', { params: { x: { type: 'integer', default: 1.5, doc: 'x' } } })], 'rule "a": param "x" default must be an integer'],
    [[rule('all')], 'rule "all": the name is reserved'],
  ])('%#', (rules, message) => {
    expect(() => validateConfig(config(rules), { reservedNames: ['all'] })).toThrow(ConfigError);
    expect(() => validateConfig(config(rules), { reservedNames: ['all'] })).toThrow(message);
  });

  it('orders rules so that dependencies come first', () => {
    const order = validateConfig(config([rule('c', { deps: ['b'] }), rule('a'), rule('b', { deps: ['a'] })]));
    expect(order.map((r) => r.name)).toEqual(['a', 'b', 'c']);
  });
});

describe('the rule contract', () => {
  const specs = {
    ratio: { type: 'number', default: 0.5, min: 0, max: 1, doc: 'a share' },
    mode: { type: 'string', default: 'a', choices: ['a', 'b'], doc: 'a mode' },
  } as const;

  it('reads a param by its declaration: type, min/max and choices', () => {
    expect(paramReader(specs, { ratio: 1, mode: 'b' }).number('ratio')).toBe(1);
    expect(() => paramReader(specs, { ratio: 1.5 }).number('ratio')).toThrow('param ratio must be at most 1, got 1.5');
    expect(() => paramReader(specs, { mode: 'c' }).string('mode')).toThrow('param mode must be one of a, b, got "c"');
    expect(() => paramReader(specs, { mode: 'a' }).number('mode')).toThrow('param mode is not declared as number or integer');
    expect(() => paramReader(specs, {}).number('undeclared')).toThrow('param undeclared is not declared');
  });

  it("finds a dependency's file, an item's in a batch rule, and names what is missing", () => {
    const artifact = (file: string) => ({ files: { 'a.json': file }, hashes: { 'a.json': '0' } });
    const readers = contextReaders({ name: 'report' }, { params: {}, deps: { scan: artifact('/s/a') }, batch: { scan: { 'v.mp4': artifact('/b/a') } } });
    expect(readers.depFile('scan', 'a.json')).toBe('/s/a');
    expect(readers.depFile('scan', 'a.json', 'v.mp4')).toBe('/b/a');
    expect(() => readers.depFile('scan', 'b.json')).toThrow('report needs b.json from scan');
    expect(() => readers.depFile('scan', 'a.json', 'w.mp4')).toThrow('report needs a.json from scan of w.mp4');
  });
});

describe('item selection', () => {
  const dir = path.join(os.tmpdir(), `vbuild-items-${process.pid}`);
  mkdirSync(path.join(dir, 'sub'), { recursive: true });
  for (const name of ['00050.mp4', '00051.mp4', '00510.mp4', 'sub/clip 2.mp4', 'sub/clip 10.mp4', 'notes.txt']) {
    writeFileSync(path.join(dir, name), name);
  }
  const input = { dir, include: ['**/*.mp4'] };

  it('globs match file names and stems; a pattern that matches nothing is reported, not silent', async () => {
    const selection = await discoverItems(input, { only: ['0005[0-9]', '005[0-9]'] });
    expect(selection.items.map((i) => i.id)).toEqual(['00050.mp4', '00051.mp4']);
    expect(selection.unmatched).toEqual([{ filter: 'only', pattern: '005[0-9]' }]);
    expect(selection.discovered).toBe(5);
  });

  it('sorts naturally, skips, and starts --from a named input', async () => {
    const all = await discoverItems(input);
    expect(all.items.map((i) => i.id)).toEqual(['00050.mp4', '00051.mp4', '00510.mp4', 'sub/clip 2.mp4', 'sub/clip 10.mp4']);
    const from = await discoverItems(input, { from: 'clip 2', skip: ['sub/clip 10.mp4'] });
    expect(from.items.map((i) => i.id)).toEqual(['sub/clip 2.mp4']);
    await expect(discoverItems(input, { from: 'missing' })).rejects.toMatchObject({ problem: { kind: 'from-unmatched', name: 'missing' } });
  });
});

describe('resource pools', () => {
  it('never runs two gpu builds at once, while cpu builds go on beside the gpu one', async () => {
    const pools = new ResourcePools({ cpu: 2, gpu: 1, io: 4 }, 4);
    const log: string[] = [];
    let gpuBusy = 0;
    let maxGpu = 0;
    const task = (name: string, ms: number, gpu: boolean) => async () => {
      if (gpu) maxGpu = Math.max(maxGpu, ++gpuBusy);
      log.push(`start ${name}`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      log.push(`end ${name}`);
      if (gpu) gpuBusy--;
    };
    await Promise.all([
      pools.run({ gpu: 1 }, task('detect1', 60, true)),
      pools.run({ gpu: 1 }, task('detect2', 60, true)),
      pools.run({ cpu: 1 }, task('scenes1', 10, false)),
      pools.run({ cpu: 1 }, task('scenes2', 10, false)),
    ]);
    expect(maxGpu).toBe(1);
    // The queued second gpu build did not hold back the cpu builds behind it.
    expect(log.indexOf('end scenes2')).toBeLessThan(log.indexOf('end detect1'));
  });
});

describe('resource pool priorities', () => {
  it('starts waiting tasks by priority, then in the order they came', async () => {
    const pools = new ResourcePools({ cpu: 1, gpu: 1, io: 4 }, 1);
    const started: string[] = [];
    const task = (name: string) => async () => {
      started.push(name);
      await new Promise((resolve) => setTimeout(resolve, 5));
    };
    await Promise.all([
      pools.run({ cpu: 1 }, task('first'), 0),
      pools.run({ cpu: 1 }, task('scan b'), 0),
      pools.run({ cpu: 1 }, task('cut a'), 5),
      pools.run({ cpu: 1 }, task('scan c'), 0),
      pools.run({ cpu: 1 }, task('detect a'), 2.5),
      pools.run({ cpu: 1 }, task('cut b'), 5),
    ]);
    expect(started).toEqual(['first', 'cut a', 'cut b', 'detect a', 'scan b', 'scan c']);
  });
});

describe('jsonl table', () => {
  it('appends, lets the last line win, drops a torn line and compacts', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'vbuild-table-'));
    const file = path.join(dir, 'table.jsonl');
    writeFileSync(file, '');
    const table = JsonlTable.load<number>(file);
    for (let i = 0; i < 100; i++) table.set('k', i);
    table.set('other', 1);
    table.close();
    writeFileSync(file, '{"k":"torn","v":', { flag: 'a' });
    const loaded = JsonlTable.load<number>(file);
    expect(loaded.get('k')).toBe(99);
    expect(loaded.has('torn')).toBe(false);
    // The torn line was cut off: what is appended next is a line of its own.
    loaded.set('after', 3);
    loaded.close();
    expect(JsonlTable.load<number>(file).get('after')).toBe(3);
    loaded.compactIfBloated(path.join(dir, 'tmp'));
    expect(JsonlTable.load<number>(file).size).toBe(3);
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(3);
    // The new log was written in the temp folder (cleared at each start), never beside the table.
    expect(readdirSync(dir).sort()).toEqual(['table.jsonl', 'tmp']);
    expect(readdirSync(path.join(dir, 'tmp'))).toEqual([]);
  });

  it('skips a line it cannot read instead of refusing the whole table', () => {
    const file = path.join(os.tmpdir(), `vbuild-table-bad-${process.pid}.jsonl`);
    writeFileSync(file, '{"k":"a","v":1}\n{"k":"b","v":\n{"k":"c","v":3}\n');
    const table = JsonlTable.load<number>(file);
    expect([...table.entries()]).toEqual([['a', 1], ['c', 3]]);
  });

  it('serialises equal values equally whatever their key order', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { f: 1, e: 2 }], c: 0 } })).toBe('{"a":{"c":0,"d":[1,{"e":2,"f":1}]},"b":1}');
  });
});

describe('stat cache', () => {
  const scratch = () => {
    const dir = path.join(os.tmpdir(), `vbuild-stat-${process.pid}-${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir, { recursive: true });
    return { file: path.join(dir, 'input.bin'), table: JsonlTable.load<StatEntry>(path.join(dir, 'stat-cache.jsonl')) };
  };

  it('refuses a hash of a file that grew while it was read (a copy still in progress), and remembers nothing', async () => {
    const { file, table } = scratch();
    writeFileSync(file, Buffer.alloc(16 << 20, 7));
    const hashing = new StatCache(table).hash(file);
    // The read takes many turns of the event loop (1 MiB chunks): this append lands in the middle of it.
    setImmediate(() => appendFileSync(file, 'more'));
    await expect(hashing).rejects.toThrow(`${file} changed while it was being hashed (is it still being written?)`);
    expect(table.has(file)).toBe(false);
    expect(await new StatCache(table).hash(file)).toBe(await hashFile(file));
  });

  it('trusts size and mtime, unless asked to verify: then it re-hashes each file once', async () => {
    const { file, table } = scratch();
    // A whole second, so that setting it again restores the mtime exactly.
    const mtime = 1_700_000_000;
    writeFileSync(file, 'alpha');
    utimesSync(file, mtime, mtime);
    const original = await new StatCache(table).hash(file);
    writeFileSync(file, 'alphb');
    utimesSync(file, mtime, mtime);
    expect(await new StatCache(table).hash(file)).toBe(original);
    const verifying = new StatCache(table, { verify: true });
    const edited = await verifying.hash(file);
    expect(edited).toBe(await hashFile(file));
    expect(edited).not.toBe(original);
    expect(table.get(file)?.hash).toBe(edited);
  });
});

describe('journal', () => {
  it('keeps the records before a damaged line, cuts the file there and appends after them', async () => {
    const file = path.join(os.tmpdir(), `vbuild-journal-${process.pid}`, 'steps.jsonl');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"step":0}\n{"step":1}\n{"ste\u0000\u0000p":\n{"step":3}\n{"step":4');
    const journal = await openJournal<{ step: number }>(file);
    expect(journal.existing).toEqual([{ step: 0 }, { step: 1 }]);
    await journal.append({ step: 2 });
    await journal.close();
    expect(readFileSync(file, 'utf8')).toBe('{"step":0}\n{"step":1}\n{"step":2}\n');
  });
});

describe('publishing', () => {
  it('removes what a killed publish left half placed, never what a live process is placing', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'vbuild-publish-'));
    try {
      const stored = path.join(root, 'stored.txt');
      writeFileSync(stored, 'content');
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      const alive = process.ppid;
      mkdirSync(path.join(root, 'out'));
      for (const pid of [dead, alive]) writeFileSync(path.join(root, 'out', `.clip.txt.${pid}.tmp`), 'half');
      writeFileSync(path.join(root, 'out', `.other.txt.${dead}.tmp`), 'not ours');
      await publishFiles(path.join(root, 'out'), '', { 'clip.txt': stored }, {});
      expect(readdirSync(path.join(root, 'out')).sort()).toEqual([`.clip.txt.${alive}.tmp`, `.other.txt.${dead}.tmp`, 'clip.txt'].sort());
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
