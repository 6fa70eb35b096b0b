/**
 * Where `npm test`'s time goes, per test file (docs/analysis/test-suite.md).
 *
 *   npx tsx bench/test-suite.ts [more vitest arguments, e.g. a folder]
 *
 * Runs `npm test` with bench/test-suite/vitest.config.ts (the repository's config plus a setup file
 * logging each file's CPU) and `ffmpeg`/`ffprobe` wrappers first on PATH that count the processes
 * each file starts, directly or through vbuild. Prints, per file, its wall time, the CPU-seconds of
 * its worker and everything it started, and those process counts; then the run's totals and the
 * load average before and after.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locate } from '../src/media/ffmpeg.ts';
import { childCpuSeconds } from './lib/child-cpu.ts';

interface FileRecord {
  file: string;
  wall: number;
  self: number;
  children: number;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vbuild-bench-suite-'));
const cpuLog = path.join(scratch, 'cpu.jsonl');
const toolLog = path.join(scratch, 'tools.log');
const wrappers = path.join(scratch, 'bin');

function writeWrapper(tool: 'ffmpeg' | 'ffprobe'): void {
  const file = path.join(wrappers, tool);
  writeFileSync(file, `#!/bin/sh\necho "$VBUILD_BENCH_TEST_FILE" >> '${toolLog}'\nexec '${locate(tool).path}' "$@"\n`);
  chmodSync(file, 0o755);
}

const loadAverage = () => os.loadavg().map((load) => load.toFixed(1)).join(' ');

mkdirSync(wrappers);
writeWrapper('ffmpeg');
writeWrapper('ffprobe');
const loadBefore = loadAverage();
const startedAt = performance.now();
const run = spawnSync('npm', ['test', '--', '--config', 'bench/test-suite/vitest.config.ts', ...process.argv.slice(2)], {
  stdio: 'inherit',
  env: { ...process.env, PATH: `${wrappers}${path.delimiter}${process.env.PATH}`, VBUILD_BENCH_CPU_LOG: cpuLog },
});
const wall = (performance.now() - startedAt) / 1000;

const records = existsSync(cpuLog)
  ? readFileSync(cpuLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as FileRecord)
  : [];
const toolRuns = new Map<string, number>();
for (const file of existsSync(toolLog) ? readFileSync(toolLog, 'utf8').trim().split('\n') : []) toolRuns.set(file, (toolRuns.get(file) ?? 0) + 1);
rmSync(scratch, { recursive: true, force: true });

const cpu = (record: FileRecord) => record.self + record.children;
console.log('\n| file | wall s | CPU-s | ffmpeg + ffprobe processes |\n|---|---:|---:|---:|');
for (const record of records.sort((a, b) => cpu(b) - cpu(a))) {
  console.log(`| ${record.file} | ${record.wall.toFixed(1)} | ${cpu(record).toFixed(1)} | ${toolRuns.get(record.file) ?? 0} |`);
}
const fileCpu = records.reduce((sum, record) => sum + cpu(record), 0);
const processes = [...toolRuns.values()].reduce((sum, count) => sum + count, 0);
console.log(`| **${records.length} files** | | **${fileCpu.toFixed(1)}** | **${processes}** |`);
console.log(`\nnpm test: exit ${run.status}, ${wall.toFixed(0)} s wall, ${childCpuSeconds().toFixed(0)} CPU-s (the whole process tree)`);
console.log(`load average (1, 5, 15 min): ${loadBefore} before, ${loadAverage()} after`);
process.exitCode = run.status ?? 1;
