/**
 * Vitest setup file of bench/test-suite.ts: appends, per test file, its wall time and the CPU time
 * of its worker process and of every process it started and waited for (`/proc/self/stat` utime,
 * stime, cutime, cstime: a child's time reaches its parent when it is reaped, so `vbuild` and the
 * ffmpeg it ran count too). It also names the file in the environment for the tool wrappers.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';

const LOG = process.env.VBUILD_BENCH_CPU_LOG!;
const TICKS_PER_SECOND = 100;

function cpuTicks(): { self: number; children: number } {
  // Fields after the command name (which may hold spaces): utime is the 12th, stime, cutime, cstime follow.
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  const [utime, stime, cutime, cstime] = [11, 12, 13, 14].map((i) => Number(fields[i]));
  return { self: utime! + stime!, children: cutime! + cstime! };
}

let started = { self: 0, children: 0 };
let startedAt = 0;
const testFile = () => path.relative(process.cwd(), expect.getState().testPath ?? '');

beforeAll(() => {
  process.env.VBUILD_BENCH_TEST_FILE = testFile();
  started = cpuTicks();
  startedAt = performance.now();
});

afterAll(() => {
  const ended = cpuTicks();
  const record = {
    file: testFile(),
    wall: (performance.now() - startedAt) / 1000,
    self: (ended.self - started.self) / TICKS_PER_SECOND,
    children: (ended.children - started.children) / TICKS_PER_SECOND,
  };
  appendFileSync(LOG, `${JSON.stringify(record)}\n`);
});
