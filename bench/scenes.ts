/**
 * Shot detection throughput and accuracy.
 *
 *   npx tsx bench/scenes.ts [rounds, default 5]
 *   npx tsx bench/scenes.ts --peer [rounds, default 3]
 *
 * Corpus mode: for every corpus video, in the same process and interleaved round by round (so
 * that load from other processes hits all three alike), times:
 *   decode  plain `ffmpeg -f null` decode of the video stream: the baseline, ratio 1.00
 *   scdet   ffmpeg's own scene-change filter on the same decode
 *   scenes  the scene_scores + scenes rules: decode at 32 px, HSV scores, adaptive cuts
 * and prints the best round of each, then the cuts each detector finds against ground_truth.json.
 *
 * `--peer`: the issue's speed target, on one 5-minute 720p30 H.264 file (the corpus shots of
 * bench/lib/reel.ts looped, built once into bench/.cache; its cuts are the joins between shots).
 * Rounds interleave, the order rotating, three commands as a user runs them: a plain
 * `ffmpeg -f null` decode (ratio 1.00), `vbuild scenes` in a fresh project whose videos folder
 * holds only that file (start-up, scan and cache included), and PySceneDetect 0.7.1's
 * `detect-adaptive` with defaults (the peer script in VBUILD_BENCH_PEERS). Prints wall and CPU
 * seconds (the whole process tree) per round, the medians, the cuts each finds and their F1.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BuildContext, type Rule, runRule } from '../src/engine/rule.ts';
import { FFMPEG_BASE_ARGS, locate, runTool } from '../src/media/ffmpeg.ts';
import { typicalFrameInterval } from '../src/media/frame-times.ts';
import { matchCuts } from '../src/media/scene-cuts.ts';
import { sceneScores, scenes } from '../rules/scenes.ts';
import { ruleContext } from '../test/helpers/rule-context.ts';
import { BENCH_PEERS, requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';
import { SCENES_FILE, type ScenesFile } from '../src/artifacts/scenes.ts';
import { SCORES_FILE, parseScores } from '../src/artifacts/scene-scores.ts';
import { toolCpuSeconds } from './lib/child-cpu.ts';
import { loopedReel, reelShots } from './lib/reel.ts';
import { median } from './lib/rounds.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CORPUS = requireData(TEST_CORPUS);
const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { peer: { type: 'boolean', default: false } } });
const ROUNDS = Number(positionals[0] ?? (flags.peer ? 3 : 5));
/** scdet's default threshold (0-100 scale). */
const SCDET_THRESHOLD = 10;
/** The issue's file: 5 minutes of 720p30 H.264 (x264's default keyframe interval). */
const PEER_SECONDS = 300;
const PEER_FPS = 30;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vbuild-bench-scenes-'));

async function outputsOf(rule: Rule, video: string, deps: BuildContext['deps'] = {}): Promise<string> {
  const ctx = ruleContext(rule, path.join(CORPUS, 'videos', video), { deps });
  await runRule(rule, ctx);
  return ctx.outDir;
}

interface SceneRun {
  scoresPath: string;
  scenesPath: string;
}

async function scenesRule(video: string): Promise<SceneRun> {
  const scoresPath = path.join(await outputsOf(sceneScores, video), SCORES_FILE);
  const scenesDir = await outputsOf(scenes, video, { scene_scores: { files: { [SCORES_FILE]: scoresPath }, hashes: {} } });
  return { scoresPath, scenesPath: path.join(scenesDir, SCENES_FILE) };
}

/** Read back after the timing: what the rules wrote, and the frame times; then removes them. */
function readRun({ scoresPath, scenesPath }: SceneRun): { result: ScenesFile; times: number[] } {
  const run = {
    result: JSON.parse(readFileSync(scenesPath, 'utf8')) as ScenesFile,
    times: parseScores(readFileSync(scoresPath, 'utf8')).map((frame) => frame.time),
  };
  // ruleContext puts each outDir in a temp folder of its own.
  for (const file of [scoresPath, scenesPath]) rmSync(path.dirname(path.dirname(file)), { recursive: true, force: true });
  return run;
}

function ffmpegVideoArgs(file: string, filters: string[]): string[] {
  // -copyts keeps scdet's times on the file's own pts timeline, as the scenes rule reports them.
  return [...FFMPEG_BASE_ARGS, '-loglevel', 'info', '-copyts', '-i', file, '-map', '0:v:0', ...filters, '-f', 'null', '-'];
}

const corpusVideo = (video: string) => path.join(CORPUS, 'videos', video);

async function plainDecode(file: string): Promise<void> {
  await runTool('ffmpeg', ffmpegVideoArgs(file, []), file);
}

/** Cut times from scdet: a metadata filter writes each frame scdet marks to a file. */
async function scdet(video: string): Promise<number[]> {
  const marks = path.join(mkdtempSync(path.join(scratch, 'scdet-')), 'marks.txt');
  const filters = ['-vf', `scdet=threshold=${SCDET_THRESHOLD},metadata=mode=print:key=lavfi.scd.time:file=${marks}`];
  await runTool('ffmpeg', ffmpegVideoArgs(corpusVideo(video), filters), video);
  const text = readFileSync(marks, 'utf8');
  return [...text.matchAll(/^frame:\d+\s+pts:\S+\s+pts_time:(\S+)/gm)].map((match) => Number(match[1]));
}

interface Timed<T> {
  seconds: number;
  /** CPU seconds (user + system) of this process and of every process it waited for meanwhile. */
  cpuSeconds: number;
  value: T;
}

async function timed<T>(work: () => T | Promise<T>): Promise<Timed<T>> {
  const cpuBefore = await toolCpuSeconds();
  const ownBefore = process.cpuUsage();
  const start = performance.now();
  const value = await work();
  const seconds = (performance.now() - start) / 1000;
  const own = process.cpuUsage(ownBefore);
  return { seconds, cpuSeconds: await toolCpuSeconds() - cpuBefore + (own.user + own.system) / 1e6, value };
}

/** Other processes only ever add time: the fastest round is the closest to the work's own cost. */
function best(values: number[]): number {
  return Math.min(...values);
}

function table(header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  const line = (row: string[]) => `| ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((width, c) => (c === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`);
  for (const row of cells.slice(1)) console.log(line(row));
  console.log('');
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const shortName = (video: string) => video.replace(/\.[^.]+$/, '').slice(0, 36);

interface Tally {
  matched: number;
  found: number;
  real: number;
}
const f1 = ({ matched, found, real }: Tally) => (found + real === 0 ? 1 : (2 * matched) / (found + real));

function printMachine(): void {
  const cpus = os.cpus();
  console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()} ${os.release()}; node ${process.version}; ffmpeg ${locate('ffmpeg').path}`);
}

async function corpusBench(): Promise<void> {
  const truth = (JSON.parse(readFileSync(path.join(CORPUS, 'ground_truth.json'), 'utf8')) as { files: Record<string, { hard_cuts: number[] }> }).files;
  const videos = Object.keys(truth);
  const methods = ['decode', 'scdet', 'scenes'] as const;
  type Method = (typeof methods)[number];
  const seconds = new Map<string, Record<Method, number[]>>(videos.map((video) => [video, { decode: [], scdet: [], scenes: [] }]));
  const sceneRuns = new Map<string, ReturnType<typeof readRun>>();
  const scdetCuts = new Map<string, number[]>();

  for (let round = 0; round < ROUNDS; round++) {
    for (const video of videos) {
      const samples = seconds.get(video)!;
      samples.decode.push((await timed(() => plainDecode(corpusVideo(video)))).seconds);
      const detected = await timed(() => scdet(video));
      samples.scdet.push(detected.seconds);
      scdetCuts.set(video, detected.value);
      const run = await timed(() => scenesRule(video));
      samples.scenes.push(run.seconds);
      sceneRuns.set(video, readRun(run.value));
    }
  }

  printMachine();
  console.log(`best of ${ROUNDS} interleaved rounds per video; fps = decoded frames per second; xRT = video seconds per second`);
  console.log('');

  const speedRows: (string | number)[][] = [];
  const totals = { frames: 0, videoSeconds: 0, decode: 0, scdet: 0, scenes: 0 };
  for (const video of videos) {
    const { times, result } = sceneRuns.get(video)!;
    const frames = result.frameCount;
    const videoSeconds = result.scenes.at(-1)!.end - times[0]!;
    const [decode, scd, scn] = methods.map((method) => best(seconds.get(video)![method]));
    totals.frames += frames;
    totals.videoSeconds += videoSeconds;
    totals.decode += decode!;
    totals.scdet += scd!;
    totals.scenes += scn!;
    speedRows.push([shortName(video), frames, fixed(videoSeconds, 1), fixed(frames / decode!, 0), fixed(frames / scd!, 0), fixed(frames / scn!, 0), fixed(videoSeconds / scn!, 1), fixed(decode! / scd!, 2), fixed(decode! / scn!, 2)]);
  }
  speedRows.push(['**all**', totals.frames, fixed(totals.videoSeconds, 1), fixed(totals.frames / totals.decode, 0), fixed(totals.frames / totals.scdet, 0), fixed(totals.frames / totals.scenes, 0), fixed(totals.videoSeconds / totals.scenes, 1), fixed(totals.decode / totals.scdet, 2), fixed(totals.decode / totals.scenes, 2)]);
  table(['video', 'frames', 'video s', 'decode fps', 'scdet fps', 'scenes fps', 'scenes xRT', 'scdet / decode', 'scenes / decode'], speedRows);

  const pooled: Record<'scenes' | 'scdet', Tally> = { scenes: { matched: 0, found: 0, real: 0 }, scdet: { matched: 0, found: 0, real: 0 } };
  const accuracyRows: (string | number)[][] = [];
  for (const video of videos) {
    const real = truth[video]!.hard_cuts;
    const { times, result } = sceneRuns.get(video)!;
    const frame = typicalFrameInterval(times);
    const ours = matchCuts(result.cuts, real, 2 * frame);
    const withinOneFrame = matchCuts(result.cuts, real, frame).matched;
    const theirs = matchCuts(scdetCuts.get(video)!, real, 2 * frame);
    for (const [name, match, found] of [['scenes', ours, result.cuts.length], ['scdet', theirs, scdetCuts.get(video)!.length]] as const) {
      pooled[name].matched += match.matched;
      pooled[name].found += found;
      pooled[name].real += real.length;
    }
    accuracyRows.push([
      shortName(video),
      real.length,
      `${ours.matched} (${withinOneFrame})`,
      ours.falseCuts.map((t) => fixed(t, 3)).join(' ') || '-',
      ours.missed.map((t) => fixed(t, 3)).join(' ') || '-',
      fixed(f1({ matched: ours.matched, found: result.cuts.length, real: real.length }), 2),
      `${theirs.matched}/${scdetCuts.get(video)!.length}`,
    ]);
  }
  accuracyRows.push(['**pooled**', pooled.scenes.real, String(pooled.scenes.matched), `${pooled.scenes.found - pooled.scenes.matched} false`, `${pooled.scenes.real - pooled.scenes.matched} missed`, fixed(f1(pooled.scenes), 3), `F1 ${fixed(f1(pooled.scdet), 3)}`]);
  console.log('hard cuts matched within +-2 frames (in brackets: within +-1 frame); scenes = default params; scdet = threshold 10');
  table(['video', 'cuts', 'scenes hit', 'scenes false (s)', 'scenes missed (s)', 'scenes F1', 'scdet hit/found'], accuracyRows);
}

/** A command's run in the peer comparison: its cuts (none for the plain decode) and, for vbuild, its builds' own seconds. */
interface PeerRun extends Timed<unknown> {
  load: number;
  cuts: number[] | null;
  builds: Map<string, number>;
}

function spawnChecked(command: string, args: string[], cwd: string): { stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.signal ?? `exit ${result.status}`}):\n${result.stderr}`);
  return result;
}

/** `vbuild scenes` as a user runs it, in a fresh project whose videos folder holds only `file`; then the cuts (`vbuild cat`). */
async function vbuildScenes(file: string, project: string): Promise<PeerRun> {
  mkdirSync(path.join(project, 'videos'));
  symlinkSync(file, path.join(project, 'videos', path.basename(file)));
  const vbuild = (args: string[]) => spawnChecked(process.execPath, [path.join(REPO, 'bin/vbuild.js'), ...args], project);
  const load = os.loadavg()[0]!;
  const run = await timed(() => vbuild(['scenes']));
  const builds = new Map([...run.value.stderr.matchAll(/^\[(\w+)\] .*: done in ([\d.]+)s$/gm)].map((match) => [match[1]!, Number(match[2])]));
  const { cuts } = JSON.parse(vbuild(['cat', 'scenes', path.basename(file, path.extname(file))]).stdout) as ScenesFile;
  return { ...run, load, cuts, builds };
}

/** PySceneDetect's CLI with `detect-adaptive`'s defaults; its cuts are the starts of its scenes after the first. */
async function pySceneDetect(file: string, out: string): Promise<PeerRun> {
  const peer = path.join(requireData(BENCH_PEERS), 'pyscenedetect');
  const load = os.loadavg()[0]!;
  const run = await timed(() => spawnChecked(peer, ['-i', file, '-q', 'detect-adaptive', 'list-scenes', '-q', '-o', out], out));
  const csv = readFileSync(path.join(out, readdirSync(out).find((name) => name.endsWith('-Scenes.csv'))!), 'utf8').trim().split('\n');
  const header = csv.findIndex((line) => line.startsWith('Scene Number,'));
  const startColumn = csv[header]!.split(',').indexOf('Start Time (seconds)');
  const cuts = csv.slice(header + 2).map((line) => Number(line.split(',')[startColumn]));
  return { ...run, load, cuts, builds: new Map() };
}

async function decodeOnly(file: string): Promise<PeerRun> {
  const load = os.loadavg()[0]!;
  return { ...(await timed(() => plainDecode(file))), load, cuts: null, builds: new Map() };
}

async function peerBench(): Promise<void> {
  const file = await loopedReel('scenes_peer_720p30.mp4', PEER_SECONDS, 'keyint=250');
  const joins = reelShots(PEER_SECONDS).slice(1).map((shot) => shot.start);
  const [decode, vbuild, peer] = ['`ffmpeg -f null` decode', '`vbuild scenes`', 'PySceneDetect `detect-adaptive`'] as const;
  const commands: [name: string, run: (out: string) => Promise<PeerRun>][] = [
    [decode, () => decodeOnly(file)],
    [vbuild, (out) => vbuildScenes(file, out)],
    [peer, (out) => pySceneDetect(file, out)],
  ];
  const runs = new Map<string, PeerRun[]>(commands.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    // Rotate the order, so that no command always runs right after the same other one.
    for (let i = 0; i < commands.length; i++) {
      const [name, run] = commands[(round + i) % commands.length]!;
      const out = mkdtempSync(path.join(scratch, 'run-'));
      runs.get(name)!.push(await run(out));
      rmSync(out, { recursive: true, force: true });
    }
  }

  printMachine();
  console.log(`input: ${file}: ${PEER_SECONDS} s of 1280x720 ${PEER_FPS} fps H.264, ${joins.length} hard cuts (the joins of its corpus shots)`);
  console.log(`${ROUNDS} interleaved rounds, order rotating; CPU s = the command's whole process tree; load = 1-min load average at its start`);
  console.log('');
  const middle = (name: string, measure: (run: PeerRun) => number) => median(runs.get(name)!.map(measure));
  const decodeWall = middle(decode, (run) => run.seconds);
  const rows = commands.map(([name]) => {
    const each = runs.get(name)!;
    const wall = middle(name, (run) => run.seconds);
    const cuts = each.at(-1)!.cuts;
    const match = cuts && matchCuts(cuts, joins, 2 / PEER_FPS);
    return [
      name,
      each.map((run) => `${fixed(run.seconds, 1)}, ${fixed(run.cpuSeconds, 1)} (${fixed(run.load, 1)})`).join('; '),
      fixed(wall, 2),
      fixed(middle(name, (run) => run.cpuSeconds), 1),
      fixed(PEER_SECONDS / wall, 1),
      fixed(decodeWall / wall, 2),
      match ? `${cuts.length} (${match.matched})` : '-',
      match ? fixed(f1({ matched: match.matched, found: cuts.length, real: joins.length }), 3) : '-',
    ];
  });
  table(['command', 'wall s, CPU s (load) per round', 'median wall s', 'median CPU s', 'x realtime', 'speed vs decode', 'cuts found (within 2 frames)', 'F1'], rows);

  const speed = middle(peer, (run) => run.seconds) / middle(vbuild, (run) => run.seconds);
  const cpu = middle(peer, (run) => run.cpuSeconds) / middle(vbuild, (run) => run.cpuSeconds);
  console.log(`vbuild scenes against PySceneDetect (medians): ${fixed(speed, 2)}x its speed; PySceneDetect takes ${fixed(cpu, 2)}x the CPU; target >= 1.5x speed: ${speed >= 1.5 ? 'met' : 'not met'}`);
  const builds = [...runs.get(vbuild)![0]!.builds.keys()];
  const buildMedians = builds.map((rule) => [rule, middle(vbuild, (run) => run.builds.get(rule) ?? 0)] as const);
  const outside = middle(vbuild, (run) => run.seconds - [...run.builds.values()].reduce((sum, value) => sum + value, 0));
  console.log(`vbuild's builds, median s (its log): ${buildMedians.map(([rule, value]) => `${rule} ${fixed(value, 1)}`).join(', ')}; outside them (start-up, config, folder scan, cache): ${fixed(outside, 1)}`);
}

await (flags.peer ? peerBench() : corpusBench());
rmSync(scratch, { recursive: true, force: true });
