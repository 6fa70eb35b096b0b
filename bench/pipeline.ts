/**
 * The whole pipeline on the corpus: a fresh `vbuild all` (the baseline), a no-op, a scoring
 * threshold change (`--max-yaw 25`), going back (run cache), and the plan's totals.
 *
 *   npx tsx bench/pipeline.ts [videos-dir]     (default: the test corpus's videos, VBUILD_TEST_CORPUS)
 *   npx tsx bench/pipeline.ts --long-720p30    (one 164 s 720p30 video made from corpus clips)
 *   npx tsx bench/pipeline.ts --short-clips    (33 clips of 2-4 s made from corpus files)
 *
 * `--with=FLAG` (repeatable: `--with=--x264-preset=veryfast`) adds a flag to every vbuild run, so the
 * whole table is what a user with that setting gets.
 *
 * `--baseline DIR` (another checkout of vbuild) adds interleaved fresh runs, `--rounds N` of each
 * (default 3), the two trees taking turns in fresh projects that start with the converted models:
 * on a shared machine only such same-process ratios say which is faster. Every run is printed
 * with the load average beside it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { benchVideos } from './lib/clips.ts';
import { childCpuSeconds } from './lib/child-cpu.ts';
import { median } from './lib/rounds.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'long-720p30': { type: 'boolean', default: false },
    'short-clips': { type: 'boolean', default: false },
    baseline: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    with: { type: 'string', multiple: true, default: [] },
  },
});
const scratch = mkdtempSync(path.join(os.tmpdir(), 'vbuild-bench-pipeline-'));
const dir = path.join(scratch, 'main');
mkdirSync(dir);
const videos = await benchVideos(scratch, flags, positionals[0]);

/**
 * A project folder with the videos in `videos/`: a tree's `bin/vbuild.js` run there uses that
 * tree's own default pipeline, as a user's `npx vbuild all` does (a config file in the folder
 * would load through tsx, not compiled with the CLI).
 */
function project(folder: string): string {
  mkdirSync(folder, { recursive: true });
  symlinkSync(videos, path.join(folder, 'videos'));
  return folder;
}

const loadAverage = () => os.loadavg()[0]!.toFixed(1);

interface Run {
  seconds: number;
  /** CPU seconds (user + system) of vbuild and every process under it. */
  cpuSeconds: number;
  /** Videos whose scene_scores and detect decoded in one ffmpeg. */
  sharedDecodes: number;
  summary: string;
  load: string;
}

function vbuild(args: string[], cwd = dir, tree = REPO): Run {
  const start = process.hrtime.bigint();
  const cpuBefore = childCpuSeconds();
  const result = spawnSync(process.execPath, [path.join(tree, 'bin/vbuild.js'), ...args, ...flags.with], { cwd, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpuSeconds = childCpuSeconds() - cpuBefore;
  if (result.status !== 0) throw new Error(`vbuild ${args.join(' ')} failed:\n${result.stderr}`);
  const sharedDecodes = result.stderr.split('\n').filter((line) => /^\[scene_scores\] .*: decoding in one ffmpeg with detect$/.test(line)).length;
  return { seconds, cpuSeconds, sharedDecodes, summary: result.stderr.trim().split('\n').at(-1)!.replace(/^vbuild: /, ''), load: loadAverage() };
}

project(dir);
const full = vbuild(['all', '--device', 'cpu']);
const plan = JSON.parse(readFileSync(path.join(dir, 'out/plan.json'), 'utf8')) as { totals: Record<string, number | null> };
const inputSeconds = (plan.totals['inputHours'] ?? 0) * 3600;
const runs: [string, Run][] = [
  ['fresh `vbuild all` (baseline)', full],
  ['no-op `vbuild all`', vbuild(['all'])],
  ['`vbuild all --max-yaw 25` (threshold change)', vbuild(['all', '--max-yaw', '25'])],
  ['`vbuild all` again (back to 75: run cache)', vbuild(['all'])],
  ['`vbuild all --adaptive-threshold 2.5` (shot threshold)', vbuild(['all', '--adaptive-threshold', '2.5'])],
];

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, node ${process.version}, no GPU`);
console.log(`input: ${videos} (${inputSeconds.toFixed(1)} s of video)${flags.with.length ? `; every run with ${flags.with.join(' ')}` : ''}\n`);
console.log('| run | wall s | CPU s | vs fresh run | x realtime | load avg | builds |');
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const [what, run] of runs) {
  const realtime = run === full ? `${(inputSeconds / run.seconds).toFixed(1)}x` : '';
  console.log(
    `| ${what} | ${run.seconds.toFixed(2)} | ${run.cpuSeconds.toFixed(1)} | ${((run.seconds / full.seconds) * 100).toFixed(1)}% | ${realtime} | ${run.load} | ${run.summary} |`,
  );
}
console.log('\n| total | value |\n|---|---:|');
for (const [name, value] of Object.entries(plan.totals)) {
  console.log(`| ${name} | ${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : value} |`);
}

if (flags.baseline) {
  const baseline = path.resolve(flags.baseline);
  const rounds = Number(flags.rounds);
  const trees: [string, string][] = [['baseline', baseline], ['this tree', REPO]];
  const times = new Map<string, Run[]>(trees.map(([name]) => [name, []]));
  // Each tree converts its own embedded pack into the shared models folder first, so that a tree
  // whose pack format differs does not convert it inside its timed runs.
  for (const [, tree] of trees) {
    const convert = `import(${JSON.stringify(path.join(tree, 'src/faces/embedded/pack.ts'))}).then((m) => m.embeddedPack(${JSON.stringify(path.join(dir, 'cache/models'))}))`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', convert], { cwd: tree, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`converting the models of ${tree} failed:\n${result.stderr}`);
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate which goes first, so neither always runs right after the other.
    for (const [name, tree] of round % 2 === 0 ? trees : [...trees].reverse()) {
      const folder = project(path.join(scratch, `${name.replace(' ', '-')}-${round}`));
      cpSync(path.join(dir, 'cache/models'), path.join(folder, 'cache/models'), { recursive: true });
      times.get(name)!.push(vbuild(['all', '--device', 'cpu'], folder, tree));
      rmSync(folder, { recursive: true, force: true });
    }
  }
  console.log(`\nInterleaved fresh runs (models pre-converted), ${rounds} rounds; baseline ${baseline}\n`);
  console.log('| tree | wall s, CPU s (load avg) [shared decodes] | median wall s | median CPU s | x realtime |');
  console.log('|---|---|---:|---:|---:|');
  for (const [name] of trees) {
    const runsOf = times.get(name)!;
    const middle = median(runsOf.map((run) => run.seconds));
    const each = runsOf.map((run) => `${run.seconds.toFixed(1)}, ${run.cpuSeconds.toFixed(1)} (${run.load}) [${run.sharedDecodes}]`).join('; ');
    console.log(`| ${name} | ${each} | ${middle.toFixed(2)} | ${median(runsOf.map((run) => run.cpuSeconds)).toFixed(1)} | ${(inputSeconds / middle).toFixed(2)}x |`);
  }
  const ratio = (measure: (run: Run) => number) => median(times.get('this tree')!.map(measure)) / median(times.get('baseline')!.map(measure));
  console.log(`\nthis tree / baseline (medians): wall ${ratio((run) => run.seconds).toFixed(3)}, CPU ${ratio((run) => run.cpuSeconds).toFixed(3)}`);
}
rmSync(scratch, { recursive: true, force: true });
