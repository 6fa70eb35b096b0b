/**
 * What starting a tool costs a large process that keeps writing its memory, as vbuild's does while
 * detect runs (onnxruntime's arenas, the analysis threads' heaps, frames): Node's spawn forks that
 * process, fork marks all its pages copy-on-write, and each page it writes afterwards faults once.
 * Starting the tool from the launcher's small helper instead (src/media/launcher.ts) leaves the
 * large process alone. Between two starts this process rewrites `--memory` MiB, as inference does.
 *
 *   npx tsx bench/launch.ts [--memory 600] [--starts 40] [--rounds 3]
 *
 * Rounds interleave the ways (and the rewrite alone, the floor); the table gives each one's median
 * round, CPU of this process (user + system) and its page faults per start, and the ratio of the
 * launcher to the direct spawn, each less the floor.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { locate } from '../src/media/ffmpeg.ts';
import { closeLauncher, launch, type ToolProcess } from '../src/media/launcher.ts';
import { median } from './lib/rounds.ts';

const { values: flags } = parseArgs({
  options: {
    memory: { type: 'string', default: '600' },
    starts: { type: 'string', default: '40' },
    rounds: { type: 'string', default: '3' },
  },
});
const memory = Buffer.alloc(Number(flags.memory) << 20, 1);
const starts = Number(flags.starts);
const ffprobe = locate('ffprobe').path;

/** `ffprobe -version`, to its end: the cheapest run of a real tool. */
async function runToEnd(child: ToolProcess): Promise<void> {
  const closed = once(child as unknown as NodeJS.EventEmitter, 'close');
  child.stdout.resume();
  child.stderr.resume();
  await closed;
}

const WAYS = {
  'no start (the rewrite alone)': async () => undefined,
  'spawn from this process': () => runToEnd(spawn(ffprobe, ['-version'], { stdio: ['ignore', 'pipe', 'pipe'] }) as unknown as ToolProcess),
  'launcher helper': async () => runToEnd(await launch(ffprobe, ['-version'])),
} as const;
type Way = keyof typeof WAYS;

interface Round {
  cpuMs: number;
  faults: number;
  wallMs: number;
}

async function round(way: Way): Promise<Round> {
  const cpu = process.cpuUsage();
  const faults = process.resourceUsage().minorPageFault;
  const start = performance.now();
  for (let k = 0; k < starts; k++) {
    memory.fill(k & 0xff);
    await WAYS[way]();
  }
  const used = process.cpuUsage(cpu);
  return {
    cpuMs: (used.user + used.system) / 1000 / starts,
    faults: (process.resourceUsage().minorPageFault - faults) / starts,
    wallMs: (performance.now() - start) / starts,
  };
}

const rounds = new Map<Way, Round[]>(Object.keys(WAYS).map((way) => [way as Way, []]));
// The helper starts once per run of vbuild: not part of what each start costs.
await runToEnd(await launch(ffprobe, ['-version']));
for (let r = 0; r < Number(flags.rounds); r++) {
  const order = (Object.keys(WAYS) as Way[]).sort(() => (r % 2 === 0 ? 1 : -1));
  for (const way of order) rounds.get(way)!.push(await round(way));
}
await closeLauncher();

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, node ${process.version}; ${ffprobe}`);
console.log(`this process holds and rewrites ${flags.memory} MiB between starts; ${starts} starts per round, ${flags.rounds} rounds, medians\n`);
console.log('| way | CPU ms of this process per start | page faults per start | wall ms per start (with the rewrite) |');
console.log('|---|---:|---:|---:|');
const medians = new Map([...rounds].map(([way, list]) => [way, { cpuMs: median(list.map((r) => r.cpuMs)), faults: median(list.map((r) => r.faults)), wallMs: median(list.map((r) => r.wallMs)) }]));
for (const [way, m] of medians) console.log(`| ${way} | ${m.cpuMs.toFixed(1)} | ${Math.round(m.faults)} | ${m.wallMs.toFixed(1)} |`);
const floor = medians.get('no start (the rewrite alone)')!;
const direct = medians.get('spawn from this process')!;
const helper = medians.get('launcher helper')!;
const ratio = (key: keyof Round) => ((helper[key] - floor[key]) / (direct[key] - floor[key])).toFixed(3);
console.log(`\nwhat a start adds to the rewrite, launcher / direct: CPU ${ratio('cpuMs')}, faults ${ratio('faults')}, wall ${ratio('wallMs')}`);
