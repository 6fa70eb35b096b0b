/**
 * Issue 8, part 4: a folder that changes over weeks. Videos are added, removed, renamed and
 * replaced between runs of the real `vbuild all`; only the builds of the affected video (and the
 * batch report) may run, and a renamed video reuses everything built for its content.
 */
import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildStatus } from '../../src/engine/engine.ts';
import type { PlanClip } from '../../src/report/model.ts';
import type { Rig } from '../helpers/rig.ts';
import { defaultPipelineRig } from '../helpers/rig.ts';
import { faceClip, retitled } from './inputs.ts';
import { scaled } from '../helpers/time-limits.ts';

const PER_VIDEO_RULES = ['scan', 'scene_scores', 'scenes', 'detect', 'track', 'score', 'cut', 'sidecars', 'thumbnails'];

let rig: Rig;
let face: string;

const video = (file: string) => path.join(rig.dir, 'videos', file);

/** Adds a face video with its own bytes (and so its own content hash). */
const addVideo = (file: string) => retitled(face, video(file), file);

/** `rule@item` of every build a run's log says it ran or restored from the run cache. */
function buildsIn(stderr: string, what: 'running' | 'restored from the run cache'): string[] {
  const line = new RegExp(`^\\[(\\w+)\\] (.+): ${what}( \\(|$)`);
  return stderr.split('\n').flatMap((text) => {
    const match = line.exec(text);
    return match ? [`${match[1]}@${match[2]}`] : [];
  });
}

async function build(): Promise<string> {
  const result = await rig.run(['all', '--device', 'cpu']);
  expect(result.code, result.stderr).toBe(0);
  return result.stderr;
}

async function staleBuilds(): Promise<BuildStatus[]> {
  const result = await rig.run(['--dry-run', '--json', '--device', 'cpu']);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { builds: BuildStatus[] }).builds.filter((each) => each.stale);
}

/** Every stale build is one of `item`'s per-video builds or the report, and all of `item`'s are stale. */
function expectOnlyStale(stale: readonly BuildStatus[], item: string): void {
  expect(stale.filter((each) => each.item !== item && each.rule !== 'report')).toEqual([]);
  expect(stale.filter((each) => each.item === item).map((each) => each.rule).sort()).toEqual([...PER_VIDEO_RULES].sort());
}

function plan(): PlanClip[] {
  return (JSON.parse(rig.read('out/plan.json')) as { clips: PlanClip[] }).clips;
}

const clipFiles = (stem: string) => readdirSync(path.join(rig.dir, 'out', stem)).filter((name) => name.endsWith('.mp4'));

beforeAll(async () => {
  rig = defaultPipelineRig();
  face = await faceClip(path.join(rig.dir, 'face.mp4'));
  for (const file of ['monday.mp4', 'tuesday.mp4', 'wednesday.mp4']) await addVideo(file);
  await build();
}, scaled(300_000));

afterAll(() => rig?.cleanup());

describe('a folder that changes between runs', () => {
  it('adding a video runs its chain and the report, nothing else', async () => {
    await addVideo('thursday.mp4');
    expectOnlyStale(await staleBuilds(), 'thursday.mp4');
    const log = await build();
    const touched = [...buildsIn(log, 'running'), ...buildsIn(log, 'restored from the run cache')];
    expect(touched.filter((id) => !id.endsWith('@thursday.mp4') && id !== 'report@(batch)'), log).toEqual([]);
    expect(buildsIn(log, 'running'), log).toContain('detect@thursday.mp4');
    expect(plan().some((clip) => clip.source === 'thursday.mp4')).toBe(true);
    // Thursday shows the same pictures as the others (only a title tag differs), but clip ids
    // derive from each video's own content hash: no cached plan of another video may be reused.
    const ids = plan().map((clip) => clip.id);
    expect(new Set(ids).size, ids.join(' ')).toBe(ids.length);
  });

  it('removing a video drops its clips from plan.json and runs only the report', async () => {
    rmSync(video('tuesday.mp4'));
    const log = await build();
    expect(buildsIn(log, 'running'), log).toEqual(['report@(batch)']);
    expect(plan().filter((clip) => clip.source === 'tuesday.mp4')).toEqual([]);
  });

  it('renaming a video reuses its scenes, detections and clip (content-keyed): nothing but the report runs', async () => {
    const [clip] = clipFiles('wednesday');
    renameSync(video('wednesday.mp4'), video('wednesday renamed.mp4'));
    const stale = await staleBuilds();
    expectOnlyStale(stale, 'wednesday renamed.mp4');
    // The dry run already knows: every per-video build comes from the run cache; only the report runs.
    expect(stale.filter((each) => each.action !== 'restore').map((each) => `${each.rule}:${each.action}`)).toEqual(['report:run']);
    const log = await build();
    expect(buildsIn(log, 'running'), log).toEqual(['report@(batch)']);
    expect(buildsIn(log, 'restored from the run cache').sort()).toEqual(
      PER_VIDEO_RULES.map((rule) => `${rule}@wednesday renamed.mp4`).sort(),
    );
    expect(clipFiles('wednesday renamed')).toEqual([clip]);
    expect(new Set(plan().map((each) => each.source))).toEqual(new Set(['monday.mp4', 'thursday.mp4', 'wednesday renamed.mp4']));
  });

  it('removed and renamed-away videos leave out/', () => {
    expect(existsSync(path.join(rig.dir, 'out/tuesday'))).toBe(false);
    expect(existsSync(path.join(rig.dir, 'out/wednesday'))).toBe(false);
  });

  it("replacing a video's content reruns its chain, and only its", async () => {
    const before = clipFiles('monday');
    await faceClip(video('monday.mp4'), 0.8);
    const stale = await staleBuilds();
    expectOnlyStale(stale, 'monday.mp4');
    expect(stale.find((each) => each.rule === 'scan')?.reasons).toEqual(['input changed: monday.mp4']);
    const log = await build();
    const ran = buildsIn(log, 'running');
    expect(ran.filter((id) => !id.endsWith('@monday.mp4') && id !== 'report@(batch)'), log).toEqual([]);
    expect(ran).toEqual(expect.arrayContaining(['scan@monday.mp4', 'scene_scores@monday.mp4', 'detect@monday.mp4', 'cut@monday.mp4']));
    // Clip names derive from the source's content hash: the old clip is replaced, not kept beside.
    expect(clipFiles('monday')).not.toEqual(before);
    expect(clipFiles('monday')).toEqual(plan().filter((clip) => clip.source === 'monday.mp4').map((clip) => path.basename(clip.file!)));
  });
});
