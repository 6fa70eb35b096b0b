/**
 * --sidecar through the engine (the real vbuild executable) on videos made here, with the face
 * rules replaced by hand-written plans: each clip's <uuid>.json describes it on its own, and a
 * renamed video gets sidecars with its new name while its clips are restored, not cut again.
 */
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashFile } from '../../src/engine/hash.ts';
import type { Sidecar } from '../../src/artifacts/sidecars.ts';
import type { PlanFile } from '../../src/artifacts/report.ts';
import { VBUILD_VERSION } from '../../src/version.ts';
import { REPO_ROOT, Rig } from '../helpers/rig.ts';
import { X264_FAST, ffmpeg, lavfiInputs } from '../media/media-fixtures.ts';
import { SCORE_PARAMS, type VideoFixture } from './fixture-pipeline.ts';
import { SCORES, segment } from './fixtures.ts';

/** A keyframe every second: clips from a whole second on are stream copies. */
const KEYFRAMES = ['-x264-params', 'keyint=25:min-keyint=25:scenecut=0'];
const TALK = segment('sidecar talk', 1, 3, 0, [0]);
const OTHER = segment('sidecar other', 1, 2, 0, [0]);

describe('sidecars', () => {
  const rig = new Rig();
  const sidecarOf = (folder: string, id: string) => JSON.parse(rig.read(`out/${folder}/${id}.json`)) as Sidecar;
  let first: Awaited<ReturnType<Rig['run']>>;

  beforeAll(async () => {
    mkdirSync(path.join(rig.dir, 'videos/talks'), { recursive: true });
    await ffmpeg(path.join(rig.dir, 'videos/talks/talk.mp4'), [...lavfiInputs(4), ...X264_FAST, ...KEYFRAMES, '-c:a', 'aac']);
    await ffmpeg(path.join(rig.dir, 'videos/other.mp4'), [...lavfiInputs(3), ...X264_FAST, ...KEYFRAMES, '-c:a', 'aac']);
    // The talk's plan under its name before and after the rename.
    const plan: Record<string, VideoFixture> = {
      'talks/talk.mp4': { segments: [TALK] },
      'renamed/keynote.mp4': { segments: [TALK] },
      'other.mp4': { segments: [OTHER] },
      'moved/other.mp4': { segments: [OTHER] },
    };
    const planFile = rig.write('plan-fixture.json', JSON.stringify(plan));
    const fixture = path.join(REPO_ROOT, 'test/cut/fixture-pipeline.ts');
    rig.write('pipeline.config.ts', `import { fixturePipeline } from ${JSON.stringify(fixture)};\nexport default fixturePipeline(${JSON.stringify(planFile)});\n`);
    first = await rig.run(['all', '--sidecar']);
  });
  afterAll(() => rig.cleanup());

  it('a sidecar names the source (path, file name, hash), the requested and delivered times, scene, scores, the score and cut params and the vbuild version', async () => {
    expect(first.code, first.stderr).toBe(0);
    const sidecar = sidecarOf('talks/talk', TALK.id);
    expect(sidecar).toMatchObject({
      id: TALK.id,
      file: `${TALK.id}.mp4`,
      vbuildVersion: VBUILD_VERSION,
      sourceHash: await hashFile(path.join(rig.dir, 'videos/talks/talk.mp4')),
      source: { path: 'talks/talk.mp4', file: 'talk.mp4', width: 160, height: 120, videoCodec: 'h264', audioCodec: 'aac' },
      requestedStart: 1,
      requestedEnd: 3,
      start: 1,
      end: 3,
      mode: 'copy',
      scene: 0,
      tracks: [0],
      scores: SCORES,
      cutParams: { cutMode: 'smart', crf: 18 },
      scoreParams: SCORE_PARAMS,
    });
    // What plan.json says of the clip, the sidecar says too.
    const plan = JSON.parse(rig.read('out/plan.json')) as PlanFile;
    const { file: _file, source: _source, ...planned } = plan.clips.find((clip) => clip.id === TALK.id)!;
    const { duration: _duration, offPlan: _offPlan, ...shared } = planned;
    expect(sidecar).toMatchObject(shared);
    expect(plan.params).toMatchObject({ sidecar: true });
    expect(readdirSync(path.join(rig.dir, 'out/other')).sort()).toEqual([`${OTHER.id}.json`, `${OTHER.id}.mp4`]);
  });

  it('a renamed video gets sidecars with its new name; its clips are restored, not cut again', async () => {
    mkdirSync(path.join(rig.dir, 'videos/renamed'));
    renameSync(path.join(rig.dir, 'videos/talks/talk.mp4'), path.join(rig.dir, 'videos/renamed/keynote.mp4'));
    const result = await rig.run(['all', '--sidecar']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('[cut] renamed/keynote.mp4: restored from the run cache');
    expect(result.stderr).toContain('[sidecars] renamed/keynote.mp4: running');
    expect(sidecarOf('renamed/keynote', TALK.id).source).toMatchObject({ path: 'renamed/keynote.mp4', file: 'keynote.mp4' });
    expect(existsSync(path.join(rig.dir, 'out/renamed/keynote', `${TALK.id}.mp4`))).toBe(true);
    expect(existsSync(path.join(rig.dir, 'out/talks'))).toBe(false);
  });

  it('without --sidecar the sidecars are removed and the clips stay, not cut again', async () => {
    const result = await rig.run(['all']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('[cut] other.mp4: running');
    expect(readdirSync(path.join(rig.dir, 'out/other'))).toEqual([`${OTHER.id}.mp4`]);
    expect(readdirSync(path.join(rig.dir, 'out/renamed/keynote'))).toEqual([`${TALK.id}.mp4`]);
  });

  it('without --sidecar a renamed video is restored whole: only the report runs', async () => {
    mkdirSync(path.join(rig.dir, 'videos/moved'));
    renameSync(path.join(rig.dir, 'videos/other.mp4'), path.join(rig.dir, 'videos/moved/other.mp4'));
    const result = await rig.run(['all']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr.split('\n').filter((line) => line.includes(': running'))).toEqual([expect.stringMatching(/^\[report\] /)]);
    expect(result.stderr).toContain('[sidecars] moved/other.mp4: restored from the run cache');
    expect(readdirSync(path.join(rig.dir, 'out/moved/other'))).toEqual([`${OTHER.id}.mp4`]);
  });
});
