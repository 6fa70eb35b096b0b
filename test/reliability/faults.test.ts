/**
 * Issue 8, part 2: faults on the real pipeline with the default (embedded) pack, through the real
 * `vbuild` executable: SIGKILL at seeded-random points inside the rules, a full disk under the
 * cache, an input replaced while it is being decoded, a tampered stored object.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildStatus } from '../../src/engine/engine.ts';
import { hashFile } from '../../src/engine/hash.ts';
import { defaultPipelineRig, done, REPO_ROOT, type Result, type Rig, runningIn, until } from '../helpers/rig.ts';
import { mulberry32 } from '../helpers/seeded-random.ts';
import { faceClip, retitled } from './inputs.ts';
import { scaled } from '../helpers/time-limits.ts';

const BIN = path.join(REPO_ROOT, 'bin/vbuild.js');
const ARGS = ['all', '--device', 'cpu'];


let rig: Rig;
let reference: string;
/** The size of the clean run's output folder. */
let referenceOutKb: number;

const video = (file: string) => path.join(rig.dir, 'videos', file);

async function run(args: readonly string[] = ARGS): Promise<Result> {
  return rig.run(args);
}

async function staleBuilds(extra: readonly string[] = []): Promise<BuildStatus[]> {
  const result = await run(['--dry-run', '--json', '--device', 'cpu', ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { builds: BuildStatus[] }).builds.filter((each) => each.stale);
}

/** Frames ffprobe decodes from a clip (0 for a truncated or unreadable file). */
function decodedFrames(file: string): number {
  try {
    const out = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file], { encoding: 'utf8' });
    return Number.parseInt(out.trim(), 10) || 0;
  } catch {
    return 0;
  }
}

function clipFiles(): string[] {
  const out = path.join(rig.dir, 'out');
  return readdirSync(out, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.mp4')).map((name) => path.join(out, name));
}

/**
 * A run of vbuild in its own process group, so a kill takes its ffmpeg children with it.
 * `nodeArgs` go before the executable (a `--import` preload); `signal` is what ended it, if one did.
 */
function startGroup(args: readonly string[], cwd: string, { nodeArgs = [], env = {} }: { nodeArgs?: readonly string[]; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
    cwd,
    env: { ...process.env, ...env, FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let signal: NodeJS.Signals | null = null;
  child.on('close', (_code, killedBy) => (signal = killedBy));
  const finished = done(child);
  return { child, stderr: () => stderr, signal: () => signal, finished };
}

/** After killed runs: a run that completes, serves the reference plan, leaves nothing stale, staged or truncated. */
async function expectCompletingRun(args: readonly string[]): Promise<void> {
  const cache = args[args.indexOf('--cache') + 1]!;
  const completing = await rig.run(args);
  expect(completing.code, completing.stderr).toBe(0);
  expect(rig.read('out/plan.json')).toBe(reference);
  expect(await staleBuilds(['--cache', cache])).toEqual([]);
  const tmp = path.join(cache, 'tmp');
  expect(existsSync(tmp) ? readdirSync(tmp) : []).toEqual([]);
  for (const clip of clipFiles()) expect(decodedFrames(clip), clip).toBeGreaterThan(0);
}

beforeAll(async () => {
  rig = defaultPipelineRig();
  const face = await faceClip(path.join(rig.dir, 'face.mp4'));
  await retitled(face, video('a.mp4'), 'a');
  await faceClip(video('b.mp4'), 0.8);
  const clean = await run();
  expect(clean.code, clean.stderr).toBe(0);
  reference = rig.read('out/plan.json');
  referenceOutKb = Number.parseInt(execFileSync('du', ['-sk', path.join(rig.dir, 'out')], { encoding: 'utf8' }), 10);
}, scaled(180_000));

afterAll(() => rig?.cleanup());

describe('SIGKILL at seeded-random points inside the rules', () => {
  const KILL_RULES = ['scan', 'scene_scores', 'detect', 'cut', 'thumbnails'];
  const kills: { target: string; running: string[] }[] = [];

  it('every rerun after kills ends with plan.json byte-identical to a clean run, nothing stale, nothing truncated', async () => {
    const random = mulberry32(0x8badf00d);
    const models = path.join(rig.dir, 'cache/models');
    let rounds = 0;
    while (kills.length < 10) {
      // A round: a fresh cache (the converted models copied in) and output, 1-3 killed runs, then a completing run.
      rounds++;
      const cache = path.join(rig.dir, `kill-cache-${rounds}`);
      mkdirSync(cache);
      cpSync(models, path.join(cache, 'models'), { recursive: true });
      rmSync(path.join(rig.dir, 'out'), { recursive: true, force: true });
      const args = [...ARGS, '--cache', cache];
      const killsThisRound = 1 + Math.floor(random() * 3);
      for (let k = 0; k < killsThisRound; k++) {
        const target = KILL_RULES[Math.floor(random() * KILL_RULES.length)]!;
        const delayMs = Math.floor(random() * 400);
        const run = startGroup(args, rig.dir);
        let exited = false;
        void run.finished.then(() => (exited = true));
        await until(() => exited || run.stderr().split('\n').some((line) => line.startsWith(`[${target}] `) && line.includes(': running')), 60_000);
        if (exited) continue; // the target rule had nothing left to run: this run completed
        const at = Date.now() + delayMs;
        await until(() => exited || Date.now() >= at, 60_000);
        if (exited) continue;
        const running = runningIn(run.stderr());
        process.kill(-run.child.pid!, 'SIGKILL');
        const result = await run.finished;
        // It may have completed between the last look at `exited` and the kill (its exit not yet
        // seen here): then, as above, this run completed and nothing was killed.
        if (result.code === 0 && run.signal() === null) continue;
        expect(result.code, run.stderr()).toBe(null);
        kills.push({ target, running });
      }
      await expectCompletingRun(args);
    }
    const rulesHit = new Set(kills.flatMap((kill) => kill.running.map((id) => id.split('@')[0]!)));
    console.log(`faults: ${kills.length} kills in ${rounds} rounds; running when killed: ${kills.map((kill) => `[${kill.running.join(' ')}]`).join(' ')}; rules hit: ${[...rulesHit].sort().join(', ')}`);
    expect(rulesHit.size, JSON.stringify(kills)).toBeGreaterThanOrEqual(3);
  }, scaled(600_000));
});

describe('SIGKILL at a seeded file-system call inside every rule', () => {
  const RULES = ['scan', 'scene_scores', 'scenes', 'detect', 'track', 'score', 'cut', 'thumbnails', 'report'];
  /** Rules that run long and write much (ffmpeg, journals, many objects) get more kills. */
  const HEAVY = ['scan', 'scene_scores', 'detect', 'cut', 'thumbnails', 'detect', 'cut'];
  /** The preload that counts file-system mutations per open build and kills at a chosen one. */
  const PRELOAD = ['--import', path.join(REPO_ROOT, 'test/reliability/kill-points.mjs')];
  const kills: { rule: string; op: number; fn: string; file: string }[] = [];

  /** An empty cache holding only the converted models, and no output folder. */
  function freshCache(name: string): string {
    const cache = path.join(rig.dir, name);
    mkdirSync(cache);
    cpSync(path.join(rig.dir, 'cache/models'), path.join(cache, 'models'), { recursive: true });
    rmSync(path.join(rig.dir, 'out'), { recursive: true, force: true });
    return cache;
  }

  /** Fisher-Yates with the seeded generator. */
  function shuffled<T>(values: readonly T[], random: () => number): T[] {
    const out = [...values];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  it('every rule killed mid-write: the rerun ends with plan.json byte-identical to a clean run, nothing stale, nothing truncated', async () => {
    const random = mulberry32(0x5eed0b5);
    // A counting run over a fresh cache: how many mutations each rule's builds make (and the
    // preload alone changes nothing).
    const countFile = path.join(rig.dir, 'op-counts.json');
    const counting = startGroup([...ARGS, '--cache', freshCache('op-count-cache')], rig.dir, { nodeArgs: PRELOAD, env: { VBUILD_KILL_COUNT: countFile } });
    const counted = await counting.finished;
    expect(counted.code, counted.stderr).toBe(0);
    expect(rig.read('out/plan.json')).toBe(reference);
    const counts = JSON.parse(readFileSync(countFile, 'utf8')) as Record<string, number>;
    for (const rule of RULES) expect(counts[rule], `${rule}: ${JSON.stringify(counts)}`).toBeGreaterThan(0);

    // Every rule once and the heavy ones again, in a seeded order; a kill that did not land (the
    // rule had nothing left to do, or fewer calls this time) puts its rule back in the queue.
    const queue = shuffled([...RULES, ...HEAVY], random);
    let rounds = 0;
    let attempts = 0;
    while (queue.length > 0) {
      rounds++;
      const args = [...ARGS, '--cache', freshCache(`op-kill-cache-${rounds}`)];
      // A round's kills go in pipeline order, so a later one still finds its rule with work left.
      const targets = queue.splice(0, 1 + Math.floor(random() * 3)).sort((a, b) => RULES.indexOf(a) - RULES.indexOf(b));
      for (const [k, rule] of targets.entries()) {
        const op = 1 + Math.floor(random() * counts[rule]!);
        expect(++attempts, `kills that never landed: ${JSON.stringify({ queue, kills })}`).toBeLessThan(40);
        const run = startGroup(args, rig.dir, { nodeArgs: PRELOAD, env: { VBUILD_KILL_RULE: rule, VBUILD_KILL_AT: String(op) } });
        const result = await run.finished;
        const point = /^kill-point: (\w+) op (\d+) (\S+) (.*)$/m.exec(result.stderr);
        if (!point) {
          // The run never reached that call: it must have completed normally, so this round's
          // later kills would find nothing to do either; they go back in the queue with this one.
          expect(result.code, result.stderr).toBe(0);
          queue.push(...targets.slice(k));
          break;
        }
        expect(result.code, result.stderr).toBe(null);
        expect(run.signal()).toBe('SIGKILL');
        expect([point[1], Number(point[2])]).toEqual([rule, op]);
        kills.push({ rule, op, fn: point[3]!, file: point[4]! });
      }
      await expectCompletingRun(args);
    }
    const perRule = RULES.map((rule) => `${rule} ${kills.filter((kill) => kill.rule === rule).length}`).join(', ');
    const fns = [...new Set(kills.map((kill) => kill.fn))].sort().join(', ');
    console.log(`faults: op-point kills: ${kills.length} in ${rounds} rounds, ${attempts} killing runs (seed 0x5eed0b5); per rule: ${perRule}; calls hit: ${fns}; counts: ${JSON.stringify(counts)}; kills: ${kills.map((kill) => `${kill.rule}#${kill.op} ${kill.fn} ${kill.file}`).join('; ')}`);
    for (const rule of RULES) expect(kills.some((kill) => kill.rule === rule), rule).toBe(true);
  }, scaled(1_200_000));
});

describe('a full disk under the cache', () => {
  const mount = path.join(os.tmpdir(), `vbuild-faults-tmpfs-${process.pid}`);
  let mounted = false;
  let mountError = '';

  beforeAll(() => {
    // Big enough for the converted models and the first builds, too small for the clips.
    const modelsKb = Number.parseInt(execFileSync('du', ['-sk', path.join(rig.dir, 'cache/models')], { encoding: 'utf8' }), 10);
    mkdirSync(mount, { recursive: true });
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${modelsKb + 700}k`, 'tmpfs', mount], { stdio: 'pipe' });
      mounted = true;
      cpSync(path.join(rig.dir, 'cache/models'), path.join(mount, 'models'), { recursive: true });
    } catch (error) {
      mountError = String(error);
    }
  });

  afterAll(() => {
    if (mounted) execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true, force: true });
  });

  it('fails with a clear ENOSPC line, records nothing half-written, and completes once there is room', async (context) => {
    if (!mounted) {
      context.skip(`cannot mount a tmpfs here (needs root): ${mountError}`);
      return;
    }
    rmSync(path.join(rig.dir, 'out'), { recursive: true, force: true });
    const full = await run([...ARGS, '--cache', mount]);
    expect(full.code, full.stderr).not.toBe(0);
    expect(full.stderr).toMatch(/FAILED: .*\n(.*\n)*.*No space left on device|ENOSPC/);
    execFileSync('mount', ['-o', 'remount,size=64m', mount]);
    const rerun = await run([...ARGS, '--cache', mount]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rig.read('out/plan.json')).toBe(reference);
    expect(await staleBuilds(['--cache', mount])).toEqual([]);
    // Every recorded object holds the content its name says.
    const traces = readFileSync(path.join(mount, 'traces.jsonl'), 'utf8').split('\n').filter(Boolean);
    for (const line of traces) {
      const { v } = JSON.parse(line) as { v: { outputs: Record<string, string> } | null };
      for (const hash of Object.values(v?.outputs ?? {})) {
        const file = path.join(mount, 'objects', hash.slice(0, 2), hash);
        if (existsSync(file)) expect(await hashFile(file), file).toBe(hash);
      }
    }
    const gc = await run(['gc', '--cache', mount]);
    expect(gc.code, gc.stderr).toBe(0);
    expect(await staleBuilds(['--cache', mount])).toEqual([]);
    console.log(`faults: full disk: ${full.stderr.split('\n').filter((line) => /FAILED|No space/.test(line)).slice(0, 3).join(' | ')}; gc: ${gc.stdout.trim()}`);
  }, scaled(300_000));

  it('under the output folder: a clear ENOSPC line, no partial file left in it, and it completes once there is room', async (context) => {
    if (!mounted) {
      context.skip(`cannot mount a tmpfs here (needs root): ${mountError}`);
      return;
    }
    // The output on its own small filesystem (the cache stays where it was): published files
    // are copies there, not links, and the clips do not all fit.
    const output = path.join(os.tmpdir(), `vbuild-faults-out-${process.pid}`);
    mkdirSync(output, { recursive: true });
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${Math.max(64, Math.floor(referenceOutKb / 2))}k`, 'tmpfs', output]);
    try {
      const full = await run([...ARGS, '--output', output]);
      expect(full.code, full.stderr).toBe(1);
      expect(full.stderr).toMatch(/\] \S+: FAILED: .*(ENOSPC|No space left on device)/);
      const leftovers = readdirSync(output, { recursive: true, encoding: 'utf8' }).filter((name) => path.basename(name).startsWith('.'));
      expect(leftovers).toEqual([]);
      execFileSync('mount', ['-o', 'remount,size=64m', output]);
      const rerun = await run([...ARGS, '--output', output]);
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(readFileSync(path.join(output, 'plan.json'), 'utf8')).toBe(reference);
      expect(await staleBuilds(['--output', output])).toEqual([]);
      console.log(`faults: full output disk: ${full.stderr.split('\n').filter((line) => /FAILED/.test(line)).slice(0, 2).join(' | ')}`);
    } finally {
      execFileSync('umount', [output]);
      rmSync(output, { recursive: true, force: true });
    }
  }, scaled(180_000));
});

describe('an input replaced while detect decodes it', () => {
  it('the next dry run says its chain is stale (input changed); nothing built from the old bytes is served for the new', async () => {
    // A cache of its own, so the other cases' state does not matter.
    const cache = path.join(rig.dir, 'modified-cache');
    mkdirSync(cache);
    cpSync(path.join(rig.dir, 'cache/models'), path.join(cache, 'models'), { recursive: true });
    rmSync(path.join(rig.dir, 'out'), { recursive: true, force: true });
    const original = readFileSync(video('a.mp4'));
    // Other bytes than b.mp4's: a copy of b would make the two one video, built once.
    const replacement = await retitled(video('b.mp4'), path.join(rig.dir, 'replacement.mp4'), 'replacement');
    const run1 = startGroup([...ARGS, '--cache', cache], rig.dir);
    let exited = false;
    void run1.finished.then(() => (exited = true));
    await until(() => exited || run1.stderr().includes('[detect] a.mp4: running'), 60_000);
    expect(exited, run1.stderr()).toBe(false);
    copyFileSync(replacement, video('a.mp4'));
    const first = await run1.finished;
    // detect (and whatever else read the file) fails rather than record new bytes under the old hash.
    expect(first.code, first.stderr).toBe(1);
    expect(first.stderr).toMatch(/\[detect\] a\.mp4: FAILED: input .*a\.mp4 changed while it was being built/);
    const stale = await staleBuilds(['--cache', cache]);
    expect(stale.find((each) => each.rule === 'scan' && each.item === 'a.mp4')?.reasons).toEqual(['input changed: a.mp4']);
    expect(stale.filter((each) => each.item === 'a.mp4').map((each) => each.rule)).toEqual(expect.arrayContaining(['scan', 'detect', 'cut']));
    const rerun = await run([...ARGS, '--cache', cache]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(await staleBuilds(['--cache', cache])).toEqual([]);
    // The old bytes back: what is served must be what a clean run over them gives.
    writeFileSync(video('a.mp4'), original);
    const back = await run([...ARGS, '--cache', cache]);
    expect(back.code, back.stderr).toBe(0);
    expect(rig.read('out/plan.json')).toBe(reference);
    for (const clip of clipFiles()) expect(decodedFrames(clip), clip).toBeGreaterThan(0);
  }, scaled(300_000));
});

describe('a tampered stored object', () => {
  /** The stored object of `rule`'s `output` for `item`, from the last trace line naming it. */
  function objectOf(cache: string, rule: string, item: string, output: string): string {
    let hash: string | undefined;
    for (const line of readFileSync(path.join(cache, 'traces.jsonl'), 'utf8').split('\n').filter(Boolean)) {
      const { k, v } = JSON.parse(line) as { k: string; v: { outputs: Record<string, string> } | null };
      if (k === `${rule}\u0000${item}`) hash = v?.outputs[output];
    }
    return path.join(cache, 'objects', hash!.slice(0, 2), hash!);
  }

  async function tamper(changeSize: boolean, keepMtime: boolean): Promise<{ file: string; stale: BuildStatus[] }> {
    const cache = path.join(rig.dir, 'cache');
    rmSync(path.join(rig.dir, 'out'), { recursive: true, force: true });
    const clean = await run();
    expect(clean.code, clean.stderr).toBe(0);
    const file = objectOf(cache, 'scenes', 'a.mp4', 'scenes.json');
    const before = statSync(file, { bigint: true });
    chmodSync(file, 0o644);
    const bytes = readFileSync(file);
    // Flip a digit to another digit: still JSON, same size, other content.
    const at = bytes.findIndex((byte) => byte >= 0x30 && byte <= 0x39);
    bytes[at] = bytes[at] === 0x39 ? 0x38 : bytes[at]! + 1;
    writeFileSync(file, changeSize ? Buffer.concat([bytes, Buffer.from(' ')]) : bytes);
    chmodSync(file, 0o444);
    if (keepMtime) {
      const ns = before.mtimeNs;
      execFileSync('touch', ['-m', '-d', `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, '0')}`, file]);
      expect(statSync(file, { bigint: true }).mtimeNs).toBe(before.mtimeNs);
    }
    return { file, stale: await staleBuilds() };
  }

  it('same size and mtime restored: not seen by the stat check (its designed limit); --verify finds and rebuilds it', async () => {
    const { file, stale } = await tamper(false, true);
    expect(stale).toEqual([]);
    const verified = await staleBuilds(['--verify']);
    expect(verified.find((each) => each.rule === 'scenes' && each.item === 'a.mp4')?.reasons, JSON.stringify(verified)).toEqual([`output missing: ${file}`]);
    const rerun = await run([...ARGS, '--verify']);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.stderr).toContain('[scenes] a.mp4: running');
    expect(await hashFile(file)).toBe(path.basename(file));
    expect(await staleBuilds(['--verify'])).toEqual([]);
    expect(rig.read('out/plan.json')).toBe(reference);
  }, scaled(180_000));

  for (const variant of [{ changeSize: false, title: 'same size, new mtime' }, { changeSize: true, title: 'another size' }]) {
    it(`${variant.title}: detected, rebuilt, and the stored object is correct again`, async () => {
      const { file, stale } = await tamper(variant.changeSize, false);
      const scenes = stale.find((each) => each.rule === 'scenes' && each.item === 'a.mp4');
      expect(scenes?.reasons, JSON.stringify(stale)).toEqual([`output missing: ${file}`]);
      const rerun = await run();
      expect(rerun.code, rerun.stderr).toBe(0);
      expect(rerun.stderr).toContain('[scenes] a.mp4: running');
      expect(await hashFile(file)).toBe(path.basename(file));
      expect(await staleBuilds()).toEqual([]);
      expect(rig.read('out/plan.json')).toBe(reference);
    }, scaled(180_000));
  }
});
