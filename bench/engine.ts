/**
 * Engine overhead: first build, no-op `vbuild all` and `--dry-run` over many items, and content
 * hashing against plain reads of the same bytes.
 *
 *   npx tsx bench/engine.ts [--items 1000] [--gb 10]
 *
 * Runs the real `vbuild` executable on the toy pipeline of the tests (three per-item rules and
 * a batch rule), so the times include Node start-up, config loading, globbing and stat checks.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hashFile } from '../src/engine/hash.ts';

const { values } = parseArgs({ options: { items: { type: 'string', default: '1000' }, gb: { type: 'string', default: '10' } } });
const ITEMS = Number(values.items);
const GB = Number(values.gb);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin/vbuild.js');

function project(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `vbuild-bench-${name}-`));
  mkdirSync(path.join(dir, 'videos'));
  writeFileSync(
    path.join(dir, 'pipeline.config.ts'),
    `import { toyConfig } from ${JSON.stringify(path.join(REPO, 'test/fixtures/toy-pipeline.ts'))};\n` +
      `export default toyConfig({ log: ${JSON.stringify(path.join(dir, 'runs.log'))} });\n`,
  );
  return dir;
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function vbuild(dir: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  const took = seconds(start);
  if (result.status !== 0) throw new Error(`vbuild ${args.join(' ')} failed: ${result.stderr}`);
  return took;
}

const bestOf3 = (fn: () => number) => Math.min(fn(), fn(), fn());

const rows: [string, string, string][] = [];
const row = (what: string, took: number, baseline?: number) =>
  rows.push([what, `${took.toFixed(3)} s`, baseline ? `${(took / baseline).toFixed(2)}x baseline` : '']);

// 1. Many small items.
{
  const dir = project('items');
  for (let i = 0; i < ITEMS; i++) writeFileSync(path.join(dir, 'videos', `v${String(i).padStart(5, '0')}.mp4`), `video ${i}`);
  const node = bestOf3(() => {
    const start = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0']);
    return seconds(start);
  });
  row('node -e 0 (baseline: bare process start)', node);
  row(`first build: ${ITEMS} items x 3 rules + a batch rule`, vbuild(dir, ['all']), node);
  row(`no-op vbuild all, ${ITEMS} items (${ITEMS * 3 + 1} builds)`, bestOf3(() => vbuild(dir, ['all'])), node);
  row(`vbuild --dry-run, ${ITEMS} items`, bestOf3(() => vbuild(dir, ['--dry-run'])), node);
  row(`vbuild --dry-run --json, ${ITEMS} items`, bestOf3(() => vbuild(dir, ['--dry-run', '--json'])), node);
  rmSync(dir, { recursive: true, force: true });
}

// 2. Large inputs: hashing throughput against plain reads of the same files, then the no-op over them.
{
  const dir = project('bytes');
  const fileCount = Math.max(1, Math.round(GB * 4));
  const chunk = Buffer.alloc(1 << 24, 7);
  const paths = Array.from({ length: fileCount }, (_, i) => path.join(dir, 'videos', `big${i}.mp4`));
  for (const [i, file] of paths.entries()) {
    const fd = openSync(file, 'w');
    for (let j = 0; j < 16; j++) {
      chunk.writeUInt32LE(i * 16 + j, 0);
      writeSync(fd, chunk);
    }
    closeSync(fd);
  }
  const gb = (fileCount * 16 * chunk.length) / 1e9;
  const timeAsync = async (fn: (file: string) => Promise<unknown>) => {
    const start = process.hrtime.bigint();
    for (const file of paths) await fn(file);
    return seconds(start);
  };
  const readAll = async (file: string) => {
    for await (const _ of createReadStream(file, { highWaterMark: 1 << 20 })) void _;
  };
  await timeAsync(readAll);
  const readSeconds = Math.min(await timeAsync(readAll), await timeAsync(readAll));
  const hashSeconds = Math.min(await timeAsync(hashFile), await timeAsync(hashFile));
  rows.push([`plain read of ${gb.toFixed(1)} GB (baseline)`, `${readSeconds.toFixed(2)} s`, `${(gb / readSeconds).toFixed(2)} GB/s`]);
  rows.push([
    'xxh64 content hash of the same files',
    `${hashSeconds.toFixed(2)} s`,
    `${(gb / hashSeconds).toFixed(2)} GB/s, ${((readSeconds / hashSeconds) * 100).toFixed(0)}% of read`,
  ]);
  // A dry run hashes every input (and keeps the hashes); the toy rules themselves would dominate a real build here.
  row(`first --dry-run over ${gb.toFixed(1)} GB (hashes every input)`, vbuild(dir, ['--dry-run']));
  row(`second --dry-run over ${gb.toFixed(1)} GB (stat cache: nothing re-read)`, bestOf3(() => vbuild(dir, ['--dry-run'])));
  rmSync(dir, { recursive: true, force: true });
}

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);
const width = Math.max(...rows.map((r) => r[0].length));
console.log(`| ${'what'.padEnd(width)} | time | ratio / rate |`);
console.log(`|${'-'.repeat(width + 2)}|------|--------------|`);
for (const [what, took, ratio] of rows) console.log(`| ${what.padEnd(width)} | ${took} | ${ratio} |`);
