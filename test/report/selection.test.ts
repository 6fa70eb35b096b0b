/**
 * A filtered run (--only) through the engine (the real vbuild executable) on videos made here,
 * with the face rules replaced by hand-written plans: its plan, report and FaceFusion script go to
 * out/selection/ and cover the selection alone, while out/plan.json, out/report/ and the clips of
 * the videos it did not select stay as they were; a run over every input then removes them.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanFile } from '../../src/artifacts/report.ts';
import { REPO_ROOT, Rig } from '../helpers/rig.ts';
import { X264_FAST, ffmpeg, lavfiInputs } from '../media/media-fixtures.ts';
import type { VideoFixture } from '../cut/fixture-pipeline.ts';
import { segment } from '../cut/fixtures.ts';

const KEYFRAMES = ['-x264-params', 'keyint=25:min-keyint=25:scenecut=0'];
const A = segment('selection a', 1, 2, 0, [0]);
const A_REPLANNED = segment('selection a replanned', 1, 3, 0, [0]);
const B = segment('selection b', 1, 2, 0, [0]);
const C = segment('selection c', 1, 2, 0, [0]);

/** Every clip file a report page links to (players, posters, "open" links), resolved from the page's folder. */
function pageLinks(page: string): string[] {
  const html = readFileSync(page, 'utf8');
  const urls = [...html.matchAll(/(?:src|poster|href)="([^"#][^"]*)"/g)].map((match) => match[1]!).filter((url) => !url.startsWith('data:'));
  return urls.map((url) => path.resolve(path.dirname(page), decodeURIComponent(url.replace(/&amp;/g, '&'))));
}

describe('a filtered run', () => {
  const rig = new Rig();
  const out = (rel: string) => path.join(rig.dir, 'out', rel);
  const readPlan = (rel: string) => JSON.parse(rig.read(`out/${rel}`)) as PlanFile;
  const writePlan = (a: typeof A) =>
    rig.write('plan-fixture.json', JSON.stringify({ 'a.mp4': { segments: [a] }, 'b.mp4': { segments: [B] }, 'c.mp4': { segments: [C] } } satisfies Record<string, VideoFixture>));
  let wholePlan: string;
  let wholePage: string;
  let clipInodes: Map<string, number>;
  let filtered: Awaited<ReturnType<Rig['run']>>;

  beforeAll(async () => {
    mkdirSync(path.join(rig.dir, 'videos'));
    // Of different lengths: the fixture's face rules answer by item id, so equal contents would share their artifacts.
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      await ffmpeg(path.join(rig.dir, `videos/${name}.mp4`), [...lavfiInputs(4 + i), ...X264_FAST, ...KEYFRAMES, '-c:a', 'aac']);
    }
    const planFile = path.join(rig.dir, 'plan-fixture.json');
    writePlan(A);
    const fixture = path.join(REPO_ROOT, 'test/cut/fixture-pipeline.ts');
    rig.write('pipeline.config.ts', `import { fixturePipeline } from ${JSON.stringify(fixture)};\nexport default fixturePipeline(${JSON.stringify(planFile)});\n`);
    const whole = await rig.run(['all', '--facefusion-jobs']);
    expect(whole.code, whole.stderr).toBe(0);
    wholePlan = rig.read('out/plan.json');
    wholePage = rig.read('out/report/index.html');
    clipInodes = new Map([B, C].map((s, i) => [s.id, statSync(out(`${'bc'[i]}/${s.id}.mp4`)).ino]));
    // a is re-planned, then built alone.
    writePlan(A_REPLANNED);
    filtered = await rig.run(['all', '--facefusion-jobs', '--only', 'a.mp4']);
  });
  afterAll(() => rig.cleanup());

  it('writes a plan, a report and a FaceFusion script over the selection to out/selection/, and says where', () => {
    expect(filtered.code, filtered.stderr).toBe(0);
    const plan = readPlan('selection/plan.json');
    expect(plan.clips.map((clip) => [clip.id, clip.file])).toEqual([[A_REPLANNED.id, `a/${A_REPLANNED.id}.mp4`]]);
    expect(plan.totals.videos).toBe(1);
    const entryPoints = ['selection/facefusion/jobs.sh', 'selection/plan.json', 'selection/report/index.html'].map(out);
    expect(filtered.stderr).toContain(`outputs over the 1 selected inputs: ${entryPoints.join(', ')}`);
    expect(readdirSync(out('selection/report/thumbs'))).toEqual([`${A_REPLANNED.id}.jpg`]);
  });

  it('its report page reaches the clips and thumbnails from out/selection/report/', () => {
    const links = pageLinks(out('selection/report/index.html'));
    expect(links).toContain(out(`a/${A_REPLANNED.id}.mp4`));
    expect(links).toContain(out(`selection/report/thumbs/${A_REPLANNED.id}.jpg`));
    for (const link of links) expect(existsSync(link), link).toBe(true);
  });

  it('its FaceFusion script targets the clips in the output folder and shares the whole folder\'s results and jobs', async () => {
    const log = path.join(rig.dir, 'facefusion-calls.jsonl');
    const fake = rig.write('fake-facefusion.mjs', `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(log)}, JSON.stringify(process.argv.slice(2)) + '\\n');\n`);
    const env = { ...process.env, PYTHON: process.execPath, FACEFUSION: fake, SOURCE_FACE: rig.write('face.jpg', 'a face') };
    await promisify(execFile)('bash', [out('selection/facefusion/jobs.sh')], { cwd: rig.dir, env });
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as string[]);
    const add = calls.find((call) => call[0] === 'job-add-step')!;
    expect(add.slice(4, 8)).toEqual(['--target-path', out(`a/${A_REPLANNED.id}.mp4`), '--output-path', out(`facefusion/swapped/a/${A_REPLANNED.id}.mp4`)]);
    expect(add.at(-1)).toBe(out('facefusion/.jobs'));
  });

  it('leaves out/plan.json, out/report/ and the clips of the videos it did not select as they were', () => {
    expect(rig.read('out/plan.json')).toBe(wholePlan);
    expect(rig.read('out/report/index.html')).toBe(wholePage);
    expect(statSync(out(`b/${B.id}.mp4`)).ino).toBe(clipInodes.get(B.id));
    expect(statSync(out(`c/${C.id}.mp4`)).ino).toBe(clipInodes.get(C.id));
    // The selected video's clips follow its new plan.
    expect(readdirSync(out('a'))).toEqual([`${A_REPLANNED.id}.mp4`]);
  });

  // Last: they change what the tests above read.
  it('another selection replaces it; a run over every input rebuilds the whole folder\'s plan and removes out/selection/', async () => {
    const other = await rig.run(['all', '--only', 'b.mp4']);
    expect(other.code, other.stderr).toBe(0);
    expect(readPlan('selection/plan.json').clips.map((clip) => clip.id)).toEqual([B.id]);
    expect(existsSync(out('selection/facefusion/jobs.sh'))).toBe(false);
    expect(readdirSync(out('selection/report/thumbs'))).toEqual([`${B.id}.jpg`]);
    expect(readdirSync(out('a'))).toEqual([`${A_REPLANNED.id}.mp4`]);

    const whole = await rig.run(['all']);
    expect(whole.code, whole.stderr).toBe(0);
    expect(readPlan('plan.json').clips.map((clip) => clip.id)).toEqual([A_REPLANNED.id, B.id, C.id]);
    expect(existsSync(out('selection'))).toBe(false);
    expect(whole.stderr).not.toContain('selected inputs');
  });
});
