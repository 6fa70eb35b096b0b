/**
 * Shot detection throughput and accuracy on the shared corpus.
 *
 *   npx tsx bench/scenes.ts [rounds, default 5]
 *
 * For every corpus video, in the same process and interleaved round by round (so that load from
 * other processes hits all three alike), times:
 *   decode  plain `ffmpeg -f null` decode of the video stream: the baseline, ratio 1.00
 *   scdet   ffmpeg's own scene-change filter on the same decode
 *   scenes  the scene_scores + scenes rules: decode at 256 px, HSV scores, adaptive cuts
 * and prints the best round of each, then the cuts each detector finds against ground_truth.json.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BuildContext, type Rule, runRule } from '../src/engine/rule.ts';
import { FFMPEG_BASE_ARGS, locate, runTool } from '../src/media/ffmpeg.ts';
import { typicalFrameInterval } from '../src/media/frame-times.ts';
import { matchCuts } from '../src/media/scene-cuts.ts';
import { sceneScores, scenes } from '../rules/scenes.ts';
import { ruleContext } from '../test/helpers/rule-context.ts';
import { requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';
import { SCENES_FILE, type ScenesFile } from '../src/artifacts/scenes.ts';
import { SCORES_FILE, parseScores } from '../src/artifacts/scene-scores.ts';

const CORPUS = requireData(TEST_CORPUS);
const ROUNDS = Number(process.argv[2] ?? 5);
/** scdet's default threshold (0-100 scale). */
const SCDET_THRESHOLD = 10;

interface TruthEntry {
  hard_cuts: number[];
}
const truth = (JSON.parse(readFileSync(path.join(CORPUS, 'ground_truth.json'), 'utf8')) as { files: Record<string, TruthEntry> })
  .files;
const videos = Object.keys(truth);
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

function ffmpegVideoArgs(video: string, filters: string[]): string[] {
  // -copyts keeps scdet's times on the file's own pts timeline, as the scenes rule reports them.
  return [...FFMPEG_BASE_ARGS, '-loglevel', 'info', '-copyts', '-i', path.join(CORPUS, 'videos', video), '-map', '0:v:0', ...filters, '-f', 'null', '-'];
}

async function plainDecode(video: string): Promise<void> {
  await runTool('ffmpeg', ffmpegVideoArgs(video, []), video);
}

/** Cut times from scdet: a metadata filter writes each frame scdet marks to a file. */
async function scdet(video: string): Promise<number[]> {
  const marks = path.join(mkdtempSync(path.join(scratch, 'scdet-')), 'marks.txt');
  const filters = ['-vf', `scdet=threshold=${SCDET_THRESHOLD},metadata=mode=print:key=lavfi.scd.time:file=${marks}`];
  await runTool('ffmpeg', ffmpegVideoArgs(video, filters), video);
  const text = readFileSync(marks, 'utf8');
  return [...text.matchAll(/^frame:\d+\s+pts:\S+\s+pts_time:(\S+)/gm)].map((match) => Number(match[1]));
}

async function timed<T>(work: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await work();
  return { seconds: (performance.now() - start) / 1000, value };
}

/** Other processes only ever add time: the fastest round is the closest to the work's own cost. */
function best(values: number[]): number {
  return Math.min(...values);
}

const methods = ['decode', 'scdet', 'scenes'] as const;
type Method = (typeof methods)[number];
const seconds = new Map<string, Record<Method, number[]>>(videos.map((video) => [video, { decode: [], scdet: [], scenes: [] }]));
const sceneRuns = new Map<string, ReturnType<typeof readRun>>();
const scdetCuts = new Map<string, number[]>();

for (let round = 0; round < ROUNDS; round++) {
  for (const video of videos) {
    const samples = seconds.get(video)!;
    samples.decode.push((await timed(() => plainDecode(video))).seconds);
    const detected = await timed(() => scdet(video));
    samples.scdet.push(detected.seconds);
    scdetCuts.set(video, detected.value);
    const run = await timed(() => scenesRule(video));
    samples.scenes.push(run.seconds);
    sceneRuns.set(video, readRun(run.value));
  }
}
rmSync(scratch, { recursive: true, force: true });

const cpus = os.cpus();
console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${os.platform()} ${os.release()}; node ${process.version}; ffmpeg ${locate('ffmpeg').path}`);
console.log(`best of ${ROUNDS} interleaved rounds per video; fps = decoded frames per second; xRT = video seconds per second`);
console.log('');
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

interface Tally {
  matched: number;
  found: number;
  real: number;
}
const f1 = ({ matched, found, real }: Tally) => (found + real === 0 ? 1 : (2 * matched) / (found + real));
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
