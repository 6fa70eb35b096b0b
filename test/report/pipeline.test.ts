/**
 * cut, thumbnails and report through the engine (the real vbuild executable) on real videos
 * (test/fixtures/videos) and one made here, with the face rules replaced by hand-written plans: clips published
 * per video, a re-plan removing the clip it dropped, plan.json, the FaceFusion script, and the
 * report page rendered in headless Chromium, each card playing its clip from disk.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, Rig } from '../helpers/rig.ts';
import { fixtureVideo } from '../helpers/test-data.ts';
import { HOSTILE_NAME, X264_FAST, ffmpeg, lavfiInputs } from '../media/media-fixtures.ts';
import { MULTISHOT_SEGMENTS, segment } from '../cut/fixtures.ts';
import { CHROMIUM, hasChromium, launchChromium } from './chromium.ts';
import { playVideo } from '../helpers/chromium-playback.ts';
import { SCORE_PARAMS, type VideoFixture } from '../cut/fixture-pipeline.ts';
import type { ElementHandle } from 'playwright-core';
import type { PlanFile } from '../../src/artifacts/report.ts';

/** Input ids: two videos with the same stem in different folders, one of them a hostile name. */
const HOSTILE_ID = `${HOSTILE_NAME}/multishot.mp4`;
const OTHER_ID = 'other/multishot.mp4';
const HOSTILE_FOLDER = `${HOSTILE_NAME}/multishot`;
const OTHER_FOLDER = 'other/multishot';
/** Made here with a keyframe every second: a segment starting between two is smart-cut. */
const KEYFRAMES_ID = 'keyframes.mp4';
const KEYFRAMES_FPS = 25;

/** Shot 6's segment is left out to keep re-encoding short; the re-plan drops shot 7's. */
const [SHOT1, SHOT4, , SHOT7, SHOT8] = MULTISHOT_SEGMENTS;
const OTHER_SEGMENT = segment('other leaf', 0, 4, 0, [0]);
const SMART_SEGMENT = segment('keyframes smart', 0.5, 3.5, 0, [0]);

function planFixture(hostileSegments = [SHOT1!, SHOT4!, SHOT7!, SHOT8!]): Record<string, VideoFixture> {
  return {
    [HOSTILE_ID]: {
      segments: hostileSegments,
      tracks: [
        { id: 0, scene: 0, start: 0.5, end: 3.9 },
        { id: 1, scene: 3, start: 11, end: 13 },
        { id: 2, scene: 3, start: 12.5, end: 14.9 },
        { id: 4, scene: 6, start: 23, end: 27 },
        { id: 5, scene: 7, start: 27, end: 31 },
        { id: 6, scene: 2, start: 8, end: 10.5 },
      ],
      rejected: [{ track: 6, scene: 2, start: 8, end: 10.5, reason: 'median face 61 px < min_face 80' }],
      sampledFrames: 62,
    },
    [OTHER_ID]: { segments: [OTHER_SEGMENT], tracks: [{ id: 0, scene: 0, start: 0, end: 4.8 }], sampledFrames: 19 },
    [KEYFRAMES_ID]: { segments: [SMART_SEGMENT], tracks: [{ id: 0, scene: 0, start: 0, end: 6 }], sampledFrames: 12 },
  };
}

const clipFiles = (rig: Rig, folder: string) => readdirSync(path.join(rig.dir, 'out', folder)).sort();
const readPlan = (rig: Rig) => JSON.parse(rig.read('out/plan.json')) as PlanFile;

describe('cut and report through the engine', () => {
  const rig = new Rig();
  const planFile = path.join(rig.dir, 'plan-fixture.json');
  const writePlan = (fixture: Record<string, VideoFixture>) => rig.write('plan-fixture.json', JSON.stringify(fixture));
  let firstRun: Awaited<ReturnType<Rig['run']>>;

  beforeAll(async () => {
    mkdirSync(path.join(rig.dir, 'videos', HOSTILE_NAME), { recursive: true });
    mkdirSync(path.join(rig.dir, 'videos', 'other'), { recursive: true });
    copyFileSync(fixtureVideo('multishot_8shots_640x360_25fps.mp4'), path.join(rig.dir, 'videos', HOSTILE_ID));
    copyFileSync(fixtureVideo('leaf_noface_720p_noaudio.mp4'), path.join(rig.dir, 'videos', OTHER_ID));
    const keyframes = ['-x264-params', `keyint=${KEYFRAMES_FPS}:min-keyint=${KEYFRAMES_FPS}:scenecut=0`];
    await ffmpeg(path.join(rig.dir, 'videos', KEYFRAMES_ID), [...lavfiInputs(6, KEYFRAMES_FPS, '320x240'), ...X264_FAST, ...keyframes, '-c:a', 'aac']);
    const fixture = path.join(REPO_ROOT, 'test/cut/fixture-pipeline.ts');
    rig.write(
      'pipeline.config.ts',
      `import { fixturePipeline } from ${JSON.stringify(fixture)};\nexport default fixturePipeline(${JSON.stringify(planFile)});\n`,
    );
    writePlan(planFixture());
    firstRun = await rig.run(['all', '--facefusion-jobs']);
  });
  afterAll(() => rig.cleanup());

  it('publishes each video\'s clips to <dir>/<stem>/: same stems in different folders stay apart', () => {
    expect(firstRun.code, firstRun.stderr + firstRun.stdout).toBe(0);
    expect(clipFiles(rig, HOSTILE_FOLDER)).toEqual([SHOT1!, SHOT4!, SHOT7!, SHOT8!].map((s) => `${s.id}.mp4`).sort());
    expect(clipFiles(rig, OTHER_FOLDER)).toEqual([`${OTHER_SEGMENT.id}.mp4`]);
    expect(clipFiles(rig, 'keyframes')).toEqual([`${SMART_SEGMENT.id}.mp4`]);
  });

  it('plan.json lists every clip with its file, source, hash, delivered and requested times, how it was cut, scene, tracks, scores and params', () => {
    const plan = readPlan(rig);
    // By source path, then time: the hostile folder name sorts before "keyframes" and "other".
    expect(plan.clips.map((clip) => clip.id)).toEqual([SHOT1!, SHOT4!, SHOT7!, SHOT8!, SMART_SEGMENT, OTHER_SEGMENT].map((s) => s.id));
    const shot4 = plan.clips.find((clip) => clip.id === SHOT4!.id)!;
    expect(shot4).toMatchObject({
      file: `${HOSTILE_FOLDER}/${SHOT4!.id}.mp4`,
      source: HOSTILE_ID,
      requestedStart: 11,
      requestedEnd: 14.9,
      scene: 3,
      tracks: [1, 2],
      scores: SHOT4!.scores,
      start: 11,
      // It starts on a keyframe; only the B-frames shown before its end but decoded after a frame
      // of the next shot are re-encoded.
      mode: 'smart',
    });
    expect(shot4.reencodedSeconds).toBeLessThanOrEqual(4 * shot4.frameDuration);
    expect(shot4.sourceHash).toMatch(/^[0-9a-f]{16}$/);
    for (const clip of plan.clips) {
      expect(existsSync(path.join(rig.dir, 'out', clip.file!)), clip.file!).toBe(true);
      expect(clip.duration, clip.id).toBeCloseTo(clip.end - clip.start, 6);
      // Every fixture and the one made here run at 25 or 30 fps.
      expect([1 / 25, 1 / 30].some((frame) => Math.abs(clip.frameDuration - frame) < 1e-3), `${clip.id}: ${clip.frameDuration}`).toBe(true);
      expect(clip.offPlan, clip.id).toBe(false);
      expect(Math.abs(clip.start - clip.requestedStart), clip.id).toBeLessThanOrEqual(clip.frameDuration + 1e-6);
      expect(Math.abs(clip.end - clip.requestedEnd), clip.id).toBeLessThanOrEqual(clip.frameDuration + 1e-6);
    }
    const shot1 = plan.clips.find((clip) => clip.id === SHOT1!.id)!;
    expect(shot1).toMatchObject({ mode: 'reencode', fallback: expect.stringMatching(/keyframe/) });
    expect(shot1.reencodedSeconds).toBeCloseTo(shot1.duration, 3);
    // Re-encoded from its start up to the keyframe at 1 s, copied from there.
    const smart = plan.clips.find((clip) => clip.id === SMART_SEGMENT.id)!;
    expect(smart).toMatchObject({ file: `keyframes/${SMART_SEGMENT.id}.mp4`, mode: 'smart' });
    expect(Math.abs(smart.reencodedSeconds - 0.5)).toBeLessThanOrEqual(smart.frameDuration + 1e-6);

    expect(plan.params).toMatchObject({ ...SCORE_PARAMS, cutMode: 'smart', crf: 18, sidecar: false, facefusion_jobs: true });
    expect(plan.totals).toMatchObject({
      videos: 3,
      sampledFrames: 93,
      tracks: 8,
      acceptedTracks: 7,
      segments: 6,
      crossTrackMerges: 1,
      clips: 6,
      skipped: 0,
      reencodeFallbacks: 1,
      clipsByMode: { copy: expect.any(Number), smart: expect.any(Number), reencode: 1 },
      offPlan: 0,
    });
    expect(plan.totals.clipsByMode.copy + plan.totals.clipsByMode.smart).toBe(5);
    expect(plan.totals.reencodedSeconds).toBeCloseTo(plan.clips.reduce((sum, clip) => sum + clip.reencodedSeconds, 0), 6);
    expect(plan.totals.inputHours * 3600).toBeCloseTo(31 + 4.805 + 6, 1);
    expect(plan.totals.outputBytes).toBe(plan.clips.reduce((sum, clip) => sum + statSync(path.join(rig.dir, 'out', clip.file!)).size, 0));
  });

  it('writes the report page and a thumbnail per clip', () => {
    const page = rig.read('out/report/index.html');
    expect(page).toContain(`<h3>${HOSTILE_NAME.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')}/multishot.mp4 <small>`);
    expect(page).not.toContain(HOSTILE_NAME); // only ever escaped
    const thumbs = readdirSync(path.join(rig.dir, 'out/report/thumbs')).sort();
    expect(thumbs).toEqual(readPlan(rig).clips.map((clip) => `${clip.id}.jpg`).sort());
  });

  it('the FaceFusion script makes one job per clip, with every path passed as one argument', async () => {
    const log = path.join(rig.dir, 'facefusion-calls.jsonl');
    const fake = rig.write('fake-facefusion.mjs', `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`);
    const face = rig.write('face.jpg', 'not really a face');
    const script = path.join(rig.dir, 'out/facefusion/jobs.sh');
    const env = { ...process.env, PYTHON: process.execPath, FACEFUSION: fake, SOURCE_FACE: face };
    await promisify(execFile)('bash', [script, '--execution-providers', 'cpu'], { cwd: rig.dir, env });

    const calls = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]);
    const jobsPath = path.join(rig.dir, 'out/facefusion/.jobs');
    const clips = readPlan(rig).clips;
    expect(calls).toHaveLength(clips.length * 4 + 1);
    const adds = calls.filter((call) => call[0] === 'job-add-step');
    expect(adds.map((call) => call[1])).toEqual(clips.map((clip) => `vbuild-${clip.id}`));
    for (const [i, clip] of clips.entries()) {
      const result = path.join(rig.dir, 'out/facefusion/swapped', clip.file!);
      expect(adds[i]).toEqual([
        'job-add-step', `vbuild-${clip.id}`,
        '--source-paths', face,
        '--target-path', path.join(rig.dir, 'out', clip.file!),
        '--output-path', result,
        '--processors', 'face_swapper',
        '--jobs-path', jobsPath,
      ]);
      expect(existsSync(path.dirname(result))).toBe(true);
    }
    expect(calls.at(-1)).toEqual(['job-run-all', '--execution-providers', 'cpu', '--jobs-path', jobsPath]);
    expect(existsSync(path.join(rig.dir, 'pwned')) || existsSync(path.join(rig.dir, 'out', 'pwned'))).toBe(false);

    const unset = await promisify(execFile)('bash', [script], { cwd: rig.dir, env: { ...env, SOURCE_FACE: '' } }).catch((error: { code: number; stderr: string }) => error);
    expect(unset).toMatchObject({ code: 2, stderr: expect.stringMatching(/SOURCE_FACE/) });
  });

  const inChromium = hasChromium ? it : it.skip;
  inChromium(
    hasChromium
      ? 'the report renders in headless Chromium: a card per clip whose player loads and seeks its clip from disk, posters and links that resolve, filters, no console errors'
      : `report in headless Chromium: SKIPPED, ${CHROMIUM} is missing (apt-get install -y chromium)`,
    async () => {
      const plan = readPlan(rig);
      const { context, close } = await launchChromium();
      try {
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('console', (message) => {
          if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
        });
        page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
        page.on('requestfailed', (request) => {
          // The media pipeline drops a read it no longer needs (a seek elsewhere); playVideo reports a clip that fails to play.
          if (request.resourceType() === 'media' && request.failure()?.errorText === 'net::ERR_ABORTED') return;
          problems.push(`request failed: ${request.url()}`);
        });
        await page.setViewportSize({ width: 1280, height: 3000 });
        await page.goto(pathToFileURL(path.join(rig.dir, 'out/report/index.html')).href, { waitUntil: 'load' });

        expect(await page.locator('.card').count()).toBe(plan.clips.length);
        expect(await page.locator('.video').count()).toBe(3);
        const clipPaths = plan.clips.map((clip) => path.join(rig.dir, 'out', clip.file!));
        const links = await page.$$eval('.card a.open', (anchors: HTMLAnchorElement[]) => anchors.map((anchor) => anchor.href));
        expect(links.map((href) => fileURLToPath(href))).toEqual(clipPaths);
        const sources = await page.$$eval('.card video', (videos: HTMLVideoElement[]) => videos.map((video) => video.src));
        expect(sources.map((src) => fileURLToPath(src))).toEqual(clipPaths);
        const posterWidths = await page.$$eval('.card video', (videos: HTMLVideoElement[]) =>
          Promise.all(
            videos.map(
              (video) =>
                new Promise<number>((resolve) => {
                  const image = new Image();
                  image.onload = () => resolve(image.naturalWidth);
                  image.onerror = () => resolve(0);
                  image.src = video.poster;
                }),
            ),
          ),
        );
        expect(posterWidths.every((width) => width > 0), `poster widths ${posterWidths}`).toBe(true);

        // preload="none" until played: each player loads its clip from disk only when asked.
        const players = await page.$$('.card video');
        for (const [i, clip] of plan.clips.entries()) {
          const frame = clip.frameDuration;
          // Not 0 first: the loaded element may already show that frame (see playVideo).
          const played = await playVideo(players[i] as ElementHandle<HTMLVideoElement>, (duration) => [duration / 2, 0, duration - frame / 2]);
          expect(played.error, clip.file!).toBeNull();
          expect(Math.abs(played.duration - clip.duration), `${clip.file}: ${played.duration} s played, ${clip.duration} s delivered`).toBeLessThanOrEqual(frame + 1e-3);
          // Each seek shows the frame on screen at that time: at most a frame before it.
          played.frames.forEach((shown, j) => expect(played.seeked[j]! - shown, `${clip.file} at ${played.seeked[j]} s`).toBeLessThan(frame + 1e-3));
        }
        await page.screenshot({ path: path.join(os.tmpdir(), 'vbuild-report.png'), fullPage: true });

        const visibleCards = () => page.locator('.card:visible').count();
        await page.selectOption('#filter-video', { label: OTHER_ID });
        expect(await visibleCards()).toBe(1);
        expect(await page.locator('.video:visible').count()).toBe(1);
        await page.selectOption('#filter-video', '');
        await page.fill('#filter-min', '2');
        expect(await visibleCards()).toBe(plan.clips.filter((clip) => clip.duration >= 2).length);
        await page.fill('#filter-min', '');
        await page.fill('#filter-max', '2');
        expect(await visibleCards()).toBe(plan.clips.filter((clip) => clip.duration <= 2).length);
        expect(await page.textContent('#shown')).toMatch(new RegExp(`of ${plan.clips.length} clips`));
        expect(problems).toEqual([]);
      } finally {
        await close();
      }
    },
  );

  // Last: it re-plans the batch the other tests read.
  it('a re-plan removes the clip it no longer plans and keeps the others', async () => {
    const kept = [SHOT1!, SHOT4!, SHOT8!];
    writePlan(planFixture(kept));
    const before = statSync(path.join(rig.dir, 'out', HOSTILE_FOLDER, `${SHOT4!.id}.mp4`)).ino;
    const result = await rig.run(['all']);
    expect(result.code, result.stderr + result.stdout).toBe(0);
    expect(clipFiles(rig, HOSTILE_FOLDER)).toEqual(kept.map((s) => `${s.id}.mp4`).sort());
    // Clips of the same segments are the same files: nothing re-written.
    expect(statSync(path.join(rig.dir, 'out', HOSTILE_FOLDER, `${SHOT4!.id}.mp4`)).ino).toBe(before);
    expect(readPlan(rig).clips.map((clip) => clip.id)).not.toContain(SHOT7!.id);
    expect(existsSync(path.join(rig.dir, 'out/report/thumbs', `${SHOT7!.id}.jpg`))).toBe(false);
    // --facefusion-jobs was not given this time: its script is gone with it.
    expect(existsSync(path.join(rig.dir, 'out/facefusion/jobs.sh'))).toBe(false);
  });
});
