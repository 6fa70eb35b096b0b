import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { closeLauncher } from '../../src/media/launcher.ts';

const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * CPU seconds (user + system) of this process's children that have been waited for, grandchildren
 * included (a process adds those it waited for to its own count): Linux's cutime + cstime.
 */
export function childCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ');
  // After the command name: field 3 is the state, so cutime (16) and cstime (17) are at 13 and 14.
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

/**
 * childCpuSeconds with the ffmpeg and ffprobe this process started through src/media: they count
 * once their helper (src/media/launcher.ts) has waited for them and been waited for itself, so it
 * is ended first (the next tool starts another).
 */
export async function toolCpuSeconds(): Promise<number> {
  await closeLauncher();
  return childCpuSeconds();
}
