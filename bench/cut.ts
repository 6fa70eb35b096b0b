/**
 * What the cutter costs (issue 12, "Performance" and "Scale"); results in docs/analysis/cutting.md.
 *
 *   npx tsx bench/cut.ts [fixed-gop] [shot-starts] [scale]     (all three by default)
 *
 * - fixed-gop / shot-starts: the same 40 segments cut with `mode: 'reencode'` (the baseline),
 *   `'smart'` and `'copy'` in one process, the modes taking turns 10 segments at a time, on a
 *   720p30 H.264 source built from corpus footage with keyframes every 10 s only (scenecut off;
 *   segments at random places), or at shot changes (scenecut on, keyint 300; each segment starts
 *   at a shot start and ends inside the shot, as the score rule plans clips). The share a smart
 *   cut of the issue's 2–20 s segments would re-encode is computed from the cutter's planner.
 * - scale: the corpus multishot clip looped 39 times (about 20 min of 720p25), one clip per shot;
 *   the first 50 clips, then all 208, cut in smart mode, and a thumbnail of each, with the peak
 *   memory of this process and its ffmpeg/ffprobe children.
 *
 * Each section measures wall time and CPU time (this process and its children): on a machine
 * shared with other jobs the CPU time is the steadier of the two. One round per measurement.
 * Sources are built once into bench/.cache (gitignored); results are markdown on stdout.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cutClips, readRanges, type ClipRequest, type CutClip, type CutMode } from '../src/media/cut.ts';
import { CUT_FALLBACKS, PacketTable, planClip } from '../src/media/cut-plan.ts';
import { locate } from '../src/media/ffmpeg.ts';
import { probe, readVideoPackets } from '../src/media/probe.ts';
import { mulberry32 } from '../test/helpers/seeded-random.ts';
import { thumbnail } from '../src/media/thumbnail.ts';
import { requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';
import { cached, ffmpeg, loopedReel, reelShots } from './lib/reel.ts';

const CORPUS = path.join(requireData(TEST_CORPUS), 'videos');

// ---------------------------------------------------------------------------------------------
// Sources

const FIXED_GOP_SECONDS = 480;
const SHOT_START_SECONDS = 400;
const SCALE_LOOPS = 39;
const MULTISHOT = 'multishot_8shots_1280x720_25fps.mp4';

const fixedGopSource = () => loopedReel('fixed_gop_720p30.mp4', FIXED_GOP_SECONDS, 'keyint=300:min-keyint=300:scenecut=0');
const shotStartSource = () => loopedReel('shot_keyframes_720p30.mp4', SHOT_START_SECONDS, 'keyint=300');

/** The corpus multishot clip (keyframes exactly at its 7 cuts) joined to itself without re-encoding. */
function scaleSource(): Promise<string> {
  return cached(`multishot_x${SCALE_LOOPS}.mp4`, async (file) => {
    const list = `${file}.ffconcat`;
    const entry = `file '${path.join(CORPUS, MULTISHOT)}'`;
    await writeFile(list, `ffconcat version 1.0\n${Array(SCALE_LOOPS).fill(entry).join('\n')}\n`);
    try {
      await ffmpeg(['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-f', 'mp4', file], file);
    } finally {
      await rm(list, { force: true });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Segments

const SEGMENTS = 40;
const SHORTEST = 2;
/** The issue's longest segment; the segments cut here are shorter (CUT_LONGEST), its planned shares are computed too. */
const ISSUE_LONGEST = 20;
/**
 * Longest segment actually cut: 40 segments of 2–20 s are about 440 s of 720p to re-encode per
 * mode, more than an hour on the shared 2-core machine; 2–6 s keeps 40 segments at ~160 s.
 */
const CUT_LONGEST = 6;
const SEED = 12;


const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const millis = (seconds: number) => Math.round(seconds * 1000) / 1000;

/**
 * `SEGMENTS` non-overlapping segments of 2–20 s (uniform) spread over `duration` with random gaps,
 * so their starts fall anywhere relative to the 10 s keyframes.
 */
function randomSegments(duration: number, longest: number, random: () => number): ClipRequest[] {
  const lengths = Array.from({ length: SEGMENTS }, () => SHORTEST + random() * (longest - SHORTEST));
  const slack = duration - 1 - lengths.reduce((sum, length) => sum + length, 0);
  if (slack < 0) throw new Error(`${SEGMENTS} segments do not fit in ${duration} s; change SEED or the source length`);
  const weights = Array.from({ length: SEGMENTS + 1 }, random);
  const weightSum = weights.reduce((sum, weight) => sum + weight, 0);
  const segments: ClipRequest[] = [];
  let time = 0;
  lengths.forEach((length, i) => {
    time += (weights[i]! / weightSum) * slack;
    segments.push({ id: `seg${i}`, start: millis(time), end: millis(time + length) });
    time += length;
  });
  return segments;
}

/** One segment per shot (the first `SEGMENTS` shots): from the shot's start, 2 s to `longest` long but inside the shot. */
function shotSegments(duration: number, longest: number, random: () => number): ClipRequest[] {
  const shots = reelShots(duration);
  if (shots.length < SEGMENTS) throw new Error(`only ${shots.length} shots in ${duration} s`);
  return shots.slice(0, SEGMENTS).map(({ start, end }, i) => {
    const room = Math.min(longest, end - start - 0.2);
    return { id: `shot${i}`, start: millis(start), end: millis(start + SHORTEST + random() * (room - SHORTEST)) };
  });
}

// ---------------------------------------------------------------------------------------------
// Memory: summed VmRSS of this process and all its descendants, read from /proc

const SAMPLE_MS = 50;

function parentPids(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name in field 2 may hold spaces and parentheses; the parent pid follows the last ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return children;
}

function rssKiB(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function descendants(root: number): number[] {
  const children = parentPids();
  const found: number[] = [];
  const queue = [root];
  while (queue.length) for (const child of children.get(queue.shift()!) ?? []) found.push(child), queue.push(child);
  return found;
}

interface PeakMemory {
  /** This process plus its descendants, in MiB. */
  totalMiB: number;
  /** The descendants alone (ffmpeg, ffprobe), in MiB. */
  childrenMiB: number;
}

/**
 * Peak memory while `run` runs. A child that lives less than one sampling interval can be missed;
 * the cutter's processes that hold the most (whole re-encodes, decode checks) live longer.
 */
async function withPeakMemory<T>(run: () => Promise<T>): Promise<{ result: T; peak: PeakMemory }> {
  const peak = { totalMiB: 0, childrenMiB: 0 };
  const sample = () => {
    const children = descendants(process.pid).reduce((sum, pid) => sum + rssKiB(pid), 0) / 1024;
    peak.childrenMiB = Math.max(peak.childrenMiB, children);
    peak.totalMiB = Math.max(peak.totalMiB, children + rssKiB(process.pid) / 1024);
  };
  const timer = setInterval(sample, SAMPLE_MS);
  try {
    const result = await run();
    sample();
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }));

/**
 * CPU seconds used so far by this process and the children it has waited for (every ffmpeg and
 * ffprobe the cutter ran, all their threads). Unlike wall time, other jobs on the machine barely
 * change it.
 */
function cpuSeconds(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // utime, stime, cutime, cstime are fields 14–17; the fields after the command name start at 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return sum(fields.slice(11, 15).map(Number)) / CLOCK_TICKS;
}

interface Cost {
  wall: number;
  cpu: number;
}

async function timed<T>(run: () => Promise<T>): Promise<{ result: T; cost: Cost }> {
  const [wallBefore, cpuBefore] = [performance.now(), cpuSeconds()];
  const result = await run();
  return { result, cost: { wall: (performance.now() - wallBefore) / 1000, cpu: cpuSeconds() - cpuBefore } };
}

/** A fresh output folder under `scratch` for one measurement, removed after it. */
async function inFreshFolder<T>(scratch: string, run: (out: string) => Promise<T>): Promise<T> {
  const out = await mkdtemp(path.join(scratch, 'out-'));
  try {
    return await run(out);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

interface ModeRun {
  mode: CutMode;
  cost: Cost;
  clips: CutClip[];
}

const delivered = (clips: CutClip[]) => sum(clips.filter((clip) => !clip.skipped).map((clip) => clip.end - clip.start));
const reencoded = (clips: CutClip[]) => sum(clips.map((clip) => clip.reencodedSeconds));

/** "copy 12, smart 25, reencode 3" for the clips as delivered, skipped ones counted apart. */
function modeCounts(clips: CutClip[]): string {
  const counts = new Map<string, number>();
  for (const clip of clips) counts.set(clip.mode ?? 'skipped', (counts.get(clip.mode ?? 'skipped') ?? 0) + 1);
  return ['copy', 'smart', 'reencode', 'skipped'].filter((mode) => counts.has(mode)).map((mode) => `${mode} ${counts.get(mode)}`).join(', ');
}

/** Fallbacks every smart or copy cut of a clip with no keyframe inside takes: expected, counted, not listed. */
const EXPECTED_FALLBACK = CUT_FALLBACKS.noKeyframe;

/** Every fallback and skip but the expected one, so that surprises in the cutter stand out. */
function unusualClips(label: string, runs: ModeRun[]): string[] {
  return runs.flatMap(({ mode, clips }) =>
    clips
      .filter((clip) => clip.skipped || (clip.fallback && clip.fallback !== EXPECTED_FALLBACK))
      .map((clip) => `${label}, ${mode}: ${clip.id} ${clip.requestedStart}–${clip.requestedEnd} s → ${clip.skipped ? `skipped: ${clip.skipped}` : `${clip.mode}: ${clip.fallback}`}`),
  );
}

const expectedFallbacks = (runs: ModeRun[]) => sum(runs.map(({ clips }) => clips.filter((clip) => clip.fallback === EXPECTED_FALLBACK).length));

/** Segments per cutClips call: the modes take turns chunk by chunk, so a change in machine load hits all three. */
const CHUNK = 10;

async function cutEveryMode(source: string, segments: ClipRequest[], scratch: string): Promise<ModeRun[]> {
  const runs: ModeRun[] = (['reencode', 'smart', 'copy'] as const).map((mode) => ({ mode, cost: { wall: 0, cpu: 0 }, clips: [] }));
  for (let from = 0; from < segments.length; from += CHUNK) {
    const chunk = segments.slice(from, from + CHUNK);
    for (const run of runs) {
      const { result, cost } = await inFreshFolder(scratch, (out) => timed(() => cutClips(source, chunk, out, { mode: run.mode })));
      run.cost.wall += cost.wall;
      run.cost.cpu += cost.cpu;
      run.clips.push(...result);
    }
  }
  return runs;
}

const fixed = (value: number, digits: number) => value.toFixed(digits);
const percent = (part: number, whole: number) => (whole > 0 ? `${((100 * part) / whole).toFixed(1)} %` : '–');
const byMode = (runs: ModeRun[], mode: CutMode) => runs.find((run) => run.mode === mode)!;

function modeTable(runs: ModeRun[]): string[] {
  const baseline = byMode(runs, 'reencode').cost;
  const rows = runs.map(({ mode, cost, clips }) => {
    const kept = delivered(clips);
    return (
      `| ${mode} | ${fixed(cost.wall, 1)} | ${fixed(cost.wall / clips.length, 2)} | ${fixed(cost.wall / baseline.wall, 3)} ` +
      `| ${fixed(cost.cpu, 1)} | ${fixed(cost.cpu / clips.length, 2)} | ${fixed(cost.cpu / baseline.cpu, 3)} ` +
      `| ${fixed(kept, 1)} | ${fixed(reencoded(clips), 1)} | ${percent(reencoded(clips), kept)} | ${modeCounts(clips)} |`
    );
  });
  return [
    '| asked mode | wall s | wall s/clip | wall vs reencode | CPU s | CPU s/clip | CPU vs reencode | delivered s | re-encoded s | re-encoded share | clips as delivered |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...rows,
  ];
}

function verdicts(runs: ModeRun[]): string {
  const [baseline, smart] = [byMode(runs, 'reencode'), byMode(runs, 'smart')];
  const share = reencoded(smart.clips) / delivered(smart.clips);
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const ratio = (key: keyof Cost) => smart.cost[key] / baseline.cost[key];
  return (
    `smart/reencode ${fixed(ratio('wall'), 3)} wall, ${fixed(ratio('cpu'), 3)} CPU (target ≤ 0.25: ${met(ratio('wall') <= 0.25)} on wall time, ${met(ratio('cpu') <= 0.25)} on CPU time); ` +
    `smart re-encoded share ${percent(share, 1)} (target ≤ 30 %: ${met(share <= 0.3)})`
  );
}

/** How many segments start on a keyframe of the source: what decides how much a smart cut re-encodes. */
async function startsOnKeyframe(source: string, segments: ClipRequest[]): Promise<string> {
  const { keyframes } = await probe(source);
  const onKeyframe = segments.filter((segment) => keyframes.some((key) => Math.abs(key - segment.start) < 0.0005)).length;
  return `${onKeyframe} of ${segments.length} segments start on a keyframe (the source has ${keyframes.length} keyframes)`;
}

/**
 * The share of delivered seconds a smart cut of `segments` would re-encode, from the cutter's own
 * planner and nothing cut: what the issue's 2–20 s segments would cost without hours of x264.
 */
async function plannedShare(source: string, segments: ClipRequest[]): Promise<string> {
  const table = new PacketTable(await readVideoPackets(source, { ranges: readRanges(segments) }));
  let [kept, again] = [0, 0];
  for (const segment of segments) {
    const { plan } = planClip(segment, table, { mode: 'smart', joinable: true });
    if (plan.mode === 'skip') continue;
    const { frames } = plan;
    kept += frames.end - frames.first;
    if (plan.mode === 'reencode') again += frames.end - frames.first;
    if (plan.mode === 'smart') again += (plan.head ? plan.copy.keyframe - frames.first : 0) + (plan.foot ? frames.end - plan.foot.first : 0);
  }
  return `planned, not cut: ${SEGMENTS} segments of ${SHORTEST}–${ISSUE_LONGEST} s would re-encode ${fixed(again, 1)} of ${fixed(kept, 1)} s in smart mode (${percent(again, kept)})`;
}

interface SegmentSet {
  title: string;
  source: () => Promise<string>;
  segments: (longest: number, random: () => number) => ClipRequest[];
}

const FIXED_GOP: SegmentSet = {
  title: `Fixed GOP: ${FIXED_GOP_SECONDS} s of 720p30, a keyframe every 10 s, ${SEGMENTS} random segments of ${SHORTEST}–${CUT_LONGEST} s`,
  source: fixedGopSource,
  segments: (longest, random) => randomSegments(FIXED_GOP_SECONDS, longest, random),
};

const SHOT_STARTS: SegmentSet = {
  title: `Shot starts: ${SHOT_START_SECONDS} s of 720p30, keyframes at shot changes (scenecut on, keyint 300), ${SEGMENTS} segments of ${SHORTEST}–${CUT_LONGEST} s from shot starts`,
  source: shotStartSource,
  segments: (longest, random) => shotSegments(SHOT_START_SECONDS, longest, random),
};

async function smartVersusReencode(set: SegmentSet, scratch: string): Promise<void> {
  const source = await set.source();
  const segments = set.segments(CUT_LONGEST, mulberry32(SEED));
  const runs = await cutEveryMode(source, segments, scratch);
  const requested = sum(segments.map((segment) => segment.end - segment.start));
  const unusual = unusualClips(set.title.split(':')[0]!, runs);
  print(
    `#### ${set.title}`,
    '',
    ...modeTable(runs),
    '',
    `- requested: ${fixed(requested, 1)} s in ${segments.length} segments; ${await startsOnKeyframe(source, segments)}`,
    `- ${verdicts(runs)}`,
    `- ${await plannedShare(source, set.segments(ISSUE_LONGEST, mulberry32(SEED)))}`,
    `- clips with no keyframe inside, re-encoded whole as planned: ${expectedFallbacks(runs)} (all modes together)`,
    ...(unusual.length ? unusual.map((line) => `- unexpected: ${line}`) : ['- no other fallback, no skipped clip']),
    '',
  );
}

// ---------------------------------------------------------------------------------------------
// Scale

const SCALE_CLIPS = 208;
const FIRST_CLIPS = 50;
/**
 * Every `SHORT_EVERY`th clip ends this long before its cut, so that its last B-frames are
 * re-encoded (a smart cut with a foot); the others are whole shots, plain copies. Not more of
 * them: on the shared machine each smart clip of a 20-min source costs several seconds.
 */
const END_BEFORE_CUT = 0.5;
const SHORT_EVERY = 8;
/** The report rule's thumbnail width. */
const THUMBNAIL_WIDTH = 320;

/** One clip per shot of the looped multishot file (its keyframes are exactly its shot starts). */
async function scaleClips(source: string): Promise<ClipRequest[]> {
  const { keyframes } = await probe(source);
  if (keyframes.length <= SCALE_CLIPS) throw new Error(`${source} has only ${keyframes.length} keyframes`);
  return keyframes.slice(0, SCALE_CLIPS).map((start, i) => {
    const cut = keyframes[i + 1]!;
    return { id: `clip${i}`, start, end: (i + 1) % SHORT_EVERY === 0 ? millis(cut - END_BEFORE_CUT) : cut };
  });
}

/** One thumbnail per clip at its middle, from the clip, as the report rule makes them. */
async function thumbnails(clips: CutClip[], out: string): Promise<void> {
  for (const clip of clips.filter((each) => each.file)) {
    await thumbnail(clip.file, (clip.end - clip.start) / 2, path.join(out, `${clip.id}.jpg`), { width: THUMBNAIL_WIDTH });
  }
}

interface ScaleRow {
  step: string;
  count: number;
  cost: Cost;
  peak: PeakMemory;
  clips?: CutClip[];
}

async function measured(step: string, count: number, run: () => Promise<CutClip[] | void>): Promise<ScaleRow> {
  const { result, peak } = await withPeakMemory(() => timed(run));
  return { step, count, cost: result.cost, peak, ...(result.result && { clips: result.result }) };
}

function scaleRow({ step, count, cost, peak, clips }: ScaleRow): string {
  return (
    `| ${step} | ${fixed(cost.wall, 1)} | ${fixed(cost.wall / count, 3)} | ${fixed(cost.cpu, 1)} | ${fixed(cost.cpu / count, 3)} ` +
    `| ${fixed(peak.totalMiB, 0)} | ${fixed(peak.childrenMiB, 0)} | ${clips ? modeCounts(clips) : ''} |`
  );
}

async function scale(scratch: string): Promise<void> {
  const source = await scaleSource();
  const { durationSec } = await probe(source);
  const clips = await scaleClips(source);
  const first = clips.slice(0, FIRST_CLIPS);
  print(
    `#### Scale: ${MULTISHOT} looped ${SCALE_LOOPS}× (${fixed(durationSec / 60, 1)} min of 720p25), one clip per shot: whole shots, every ${SHORT_EVERY}th ending ${END_BEFORE_CUT} s before its cut`,
    '',
    '| step | wall s | wall s/clip | CPU s | CPU s/clip | peak RSS, node + children (MiB) | peak RSS, children only (MiB) | clips as delivered |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  const rows: ScaleRow[] = [];
  const report = (row: ScaleRow) => (rows.push(row), print(scaleRow(row)));
  report(await inFreshFolder(scratch, (out) => measured(`cut (smart), first ${FIRST_CLIPS} clips`, first.length, () => cutClips(source, first, out))));
  await inFreshFolder(scratch, async (out) => {
    const all = await measured(`cut (smart), all ${clips.length} clips`, clips.length, () => cutClips(source, clips, out));
    report(all);
    // Thumbnails are independent calls: the first 50 are measured apart, then the rest, not made twice.
    await inFreshFolder(scratch, async (thumbs) => {
      const head = await measured(`thumbnails, first ${FIRST_CLIPS} clips`, FIRST_CLIPS, () => thumbnails(all.clips!.slice(0, FIRST_CLIPS), thumbs));
      const rest = await measured('', clips.length - FIRST_CLIPS, () => thumbnails(all.clips!.slice(FIRST_CLIPS), thumbs));
      report(head);
      report({
        step: `thumbnails, all ${clips.length} clips`,
        count: clips.length,
        cost: { wall: head.cost.wall + rest.cost.wall, cpu: head.cost.cpu + rest.cost.cpu },
        peak: { totalMiB: Math.max(head.peak.totalMiB, rest.peak.totalMiB), childrenMiB: Math.max(head.peak.childrenMiB, rest.peak.childrenMiB) },
      });
    });
  });
  const unusual = rows.flatMap((row) => (row.clips ? unusualClips(row.step, [{ mode: 'smart', cost: row.cost, clips: row.clips }]) : []));
  print('', ...(unusual.length ? unusual.map((line) => `- unexpected: ${line}`) : ['- no fallback, no skipped clip']), '');
}

// ---------------------------------------------------------------------------------------------

/** Results go out as soon as each table is done, so a run cut short still leaves its numbers. */
const print = (...lines: string[]) => console.log(lines.join('\n'));

function machine(): string[] {
  const cpu = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  const ffmpegVersion = execFileSync(locate('ffmpeg').path, ['-hide_banner', '-version'], { encoding: 'utf8' }).split('\n')[0];
  return [
    `- machine: ${cpu}, ${os.cpus().length} cores, ${fixed(os.totalmem() / 2 ** 30, 1)} GiB; node ${process.version}`,
    `- ffmpeg: ${locate('ffmpeg').path}: ${ffmpegVersion}`,
    `- CPU s: user + system time of this process and every ffmpeg/ffprobe it ran (all threads)`,
    `- memory: VmRSS of this process and all its descendants, summed, sampled every ${SAMPLE_MS} ms from /proc`,
  ];
}

const uptime = () => execFileSync('uptime', { encoding: 'utf8' }).trim();

const SECTIONS: Record<string, (scratch: string) => Promise<void>> = {
  'fixed-gop': (scratch) => smartVersusReencode(FIXED_GOP, scratch),
  'shot-starts': (scratch) => smartVersusReencode(SHOT_STARTS, scratch),
  scale,
};

/** `npx tsx bench/cut.ts [section...]`: all sections by default, in this order. */
function chosenSections(): string[] {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((name) => !(name in SECTIONS));
  if (unknown.length) throw new Error(`unknown section ${unknown.join(', ')}; sections: ${Object.keys(SECTIONS).join(', ')}`);
  return asked.length ? asked : Object.keys(SECTIONS);
}

async function main(): Promise<void> {
  const sections = chosenSections();
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'vbuild-bench-cut-'));
  try {
    // One after the other: the first two share the reel, and building in parallel would build it twice.
    for (const build of [fixedGopSource, shotStartSource, scaleSource]) await build();
    print(`- run: ${new Date().toISOString()}, sections: ${sections.join(', ')}`, ...machine(), `- load at start: ${uptime()}`, '');
    const began = performance.now();
    for (const section of sections) {
      await SECTIONS[section]!(scratch);
      print(`- load after ${section}: ${uptime()}`, '');
    }
    print(`- measured for ${fixed((performance.now() - began) / 60000, 1)} min (sources built before, cached in bench/.cache)`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
