/**
 * Issue 13, item 3: SIGINT and SIGTERM at many points of a real `vbuild all` (the default
 * pipeline, embedded models): during scene detection (ffmpeg decoding), during detect (worker
 * threads inside onnxruntime inferences, their decoders), during cut (ffmpeg children). Every
 * interrupted run exits 130 without an abort or a trace, leaves no process behind, no partial or
 * temp file in the output folder and no staging folder; the next run completes with the plan of
 * an uninterrupted run. SIGINT goes to the whole process group, as a terminal's Ctrl-C does (the
 * ffmpeg children get it too); SIGTERM only to vbuild, as `kill` does.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildStatus } from '../../src/engine/engine.ts';
import { defaultPipelineRig, done, REPO_ROOT, type Result, type Rig, runningIn, until } from '../helpers/rig.ts';
import { mulberry32 } from '../helpers/seeded-random.ts';
import { faceClip } from './inputs.ts';
import { scaled } from '../helpers/time-limits.ts';

/** Every frame analysed: detect runs long enough for a signal to find inferences in flight. */
const ARGS = ['all', '--device', 'cpu', '--sample-fps', '30'];
/** Rules that run ffmpeg or ffprobe children: a point in them waits until one runs. */
const WITH_CHILDREN = new Set(['scan', 'scene_scores', 'detect', 'cut', 'thumbnails']);
/** A backstop for waits on a busy machine, never a measure. */
const PATIENCE_MS = 120_000;

let rig: Rig;
let reference: string;


/** Live processes whose command line names `text` (a zombie's is empty), from /proc. */
function processesNaming(text: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)) {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (command.includes(text)) found.push(`${pid}: ${command}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/**
 * The commands of `pid`'s descendants: vbuild starts ffmpeg and ffprobe through a helper process
 * (src/media/launcher.ts), so they are its grandchildren.
 */
function descendantCommands(pid: number): string[] {
  const parents = new Map<number, { ppid: number; command: string }>();
  for (const each of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${each}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parents.set(Number(each), { ppid, command: path.basename(readFileSync(`/proc/${each}/cmdline`, 'utf8').split('\0')[0]!) });
    } catch {
      // gone meanwhile
    }
  }
  const descends = (each: number): boolean => {
    for (let up = parents.get(each)?.ppid; up !== undefined && up > 1; up = parents.get(up)?.ppid) if (up === pid) return true;
    return false;
  };
  return [...parents].filter(([each]) => descends(each)).map(([, { command }]) => command);
}

/** Files in the output folder that a reader must never see: hidden temps and `.tmp` names. */
function partialOutputs(): string[] {
  const out = path.join(rig.dir, 'out');
  if (!existsSync(out)) return [];
  return readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((name) => path.basename(name).startsWith('.') || name.includes('.tmp'));
}

function stagingLeft(cache: string): string[] {
  const tmp = path.join(cache, 'tmp');
  return existsSync(tmp) ? readdirSync(tmp) : [];
}

interface Point {
  rule: string;
  /** Signals sent, the later ones after a short random pause: two is the "quit now" path. */
  signals: NodeJS.Signals[];
  /** The process group, as a terminal's Ctrl-C; else vbuild alone, as `kill`. */
  group: boolean;
}

interface Landed {
  point: string;
  running: string[];
  children: string[];
}

/**
 * Runs vbuild until `point.rule` runs (with an ffmpeg/ffprobe child where it has any), waits a
 * seeded random pause, signals it, and checks how it ended. Undefined when the run ended first.
 */
async function interrupt(point: Point, cache: string, random: () => number): Promise<Landed | undefined> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/vbuild.js'), ...ARGS, '--cache', cache], {
    cwd: rig.dir,
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own group, so a Ctrl-C-like signal reaches its children and nothing else.
    detached: true,
  });
  const finished = done(child);
  let exited = false;
  void finished.then(() => (exited = true));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pid = child.pid!;
  const isRunning = () => runningIn(stderr).some((id) => id.startsWith(`${point.rule}@`));
  const hasChild = () => !WITH_CHILDREN.has(point.rule) || descendantCommands(pid).some((name) => name === 'ffmpeg' || name === 'ffprobe');
  await until(() => exited || (isRunning() && hasChild()), PATIENCE_MS);
  if (exited) return undefined;
  await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 400)));
  if (exited) return undefined;
  const landed = { point: `${point.signals.join('+')}${point.group ? ' (group)' : ''} in ${point.rule}`, running: runningIn(stderr), children: descendantCommands(pid) };
  for (const [k, signal] of point.signals.entries()) {
    if (k > 0) await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 200)));
    try {
      process.kill(point.group ? -pid : pid, signal);
    } catch (error) {
      // Gone (ESRCH): the first signal already ended it, or the run ended just before it.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      if (k === 0) {
        await finished;
        return undefined;
      }
    }
  }
  const result: Result = await finished;
  const what = `${landed.point}: ${result.stderr}`;
  expect(result.stderr, what).not.toMatch(/terminate called|Napi::Error|\n\s+at /);
  expect(result.code, what).toBe(130);
  expect(result.stderr).toContain(`vbuild: ${point.signals[0]}: stopping`);
  expect(processesNaming(rig.dir), what).toEqual([]);
  expect(partialOutputs(), what).toEqual([]);
  // A second signal quits without the wind-down: its staging folder is the next run's to clear.
  if (point.signals.length === 1) expect(stagingLeft(cache), what).toEqual([]);
  return landed;
}

async function staleBuilds(cache: string): Promise<BuildStatus[]> {
  const result = await rig.run(['--dry-run', '--json', '--device', 'cpu', '--sample-fps', '30', '--cache', cache]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { builds: BuildStatus[] }).builds.filter((each) => each.stale);
}

beforeAll(async () => {
  rig = defaultPipelineRig();
  await faceClip(path.join(rig.dir, 'videos/a.mp4'));
  await faceClip(path.join(rig.dir, 'videos/b.mp4'), 0.8);
  const clean = await rig.run(ARGS);
  expect(clean.code, clean.stderr).toBe(0);
  reference = rig.read('out/plan.json');
}, scaled(300_000));

afterAll(() => rig?.cleanup());

describe('SIGINT and SIGTERM at many points of vbuild all', () => {
  /** Each round starts from an empty cache and goes down the pipeline, resuming what the last run left. */
  const ROUNDS: Point[][] = [
    [
      { rule: 'scene_scores', signals: ['SIGINT'], group: true },
      { rule: 'detect', signals: ['SIGINT'], group: true },
      { rule: 'detect', signals: ['SIGINT', 'SIGINT'], group: true },
      { rule: 'detect', signals: ['SIGINT'], group: false },
      { rule: 'cut', signals: ['SIGINT'], group: true },
    ],
    [
      { rule: 'scene_scores', signals: ['SIGTERM'], group: false },
      { rule: 'detect', signals: ['SIGTERM'], group: false },
      { rule: 'detect', signals: ['SIGTERM', 'SIGTERM'], group: false },
      { rule: 'cut', signals: ['SIGTERM'], group: false },
      { rule: 'cut', signals: ['SIGINT', 'SIGINT'], group: true },
    ],
  ];

  it('every interrupted run exits 130 and leaves nothing behind; the next run completes with the plan of an uninterrupted one', async () => {
    const random = mulberry32(0x5161a1);
    const landed: Landed[] = [];
    const missed: string[] = [];
    for (const [round, points] of ROUNDS.entries()) {
      const cache = path.join(rig.dir, `signal-cache-${round}`);
      mkdirSync(cache);
      cpSync(path.join(rig.dir, 'cache/models'), path.join(cache, 'models'), { recursive: true });
      rmSync(path.join(rig.dir, 'out'), { recursive: true, force: true });
      for (const point of points) {
        const hit = await interrupt(point, cache, random);
        if (hit) landed.push(hit);
        else missed.push(`round ${round}: ${point.rule}`);
      }
      const completing = await rig.run([...ARGS, '--cache', cache]);
      expect(completing.code, completing.stderr).toBe(0);
      expect(rig.read('out/plan.json')).toBe(reference);
      expect(await staleBuilds(cache)).toEqual([]);
      expect(stagingLeft(cache)).toEqual([]);
    }
    console.log(`signals: ${landed.length} interrupted runs; ${landed.map((each) => `${each.point} [${each.running.join(' ')}] children [${each.children.join(' ')}]`).join('; ')}; ended before the signal: ${missed.join(', ') || 'none'}`);
    // A point whose rule had finished before the signal (a busy machine) is not an interruption.
    const rulesHit = new Set(landed.flatMap((each) => each.running.map((id) => id.split('@')[0]!)));
    for (const rule of ['scene_scores', 'detect', 'cut']) expect([...rulesHit], rule).toContain(rule);
  }, scaled(600_000));
});
