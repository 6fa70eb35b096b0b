/**
 * The FaceFusion script a user is told to edit (docs/facefusion.md), through the engine (the real
 * vbuild executable) on a video made here with a hand-written plan: it is published as a writable
 * copy, an edit never reaches the cache, a rerun that changes nothing keeps the edit, and one that
 * changes the script keeps the edit beside the new one as jobs.sh.edited.
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, Rig } from '../helpers/rig.ts';
import { X264_FAST, ffmpeg, lavfiInputs } from '../media/media-fixtures.ts';
import type { VideoFixture } from '../cut/fixture-pipeline.ts';
import { segment } from '../cut/fixtures.ts';

const FIRST = segment('editable first', 1, 2, 0, [0]);
const SECOND = segment('editable second', 2, 3, 0, [0]);
const EDIT = '/home/me/faces/me.jpg';

describe('the FaceFusion script is an editable copy', () => {
  const rig = new Rig();
  const script = path.join(rig.dir, 'out/facefusion/jobs.sh');
  const writePlan = (segments: typeof FIRST[]) => rig.write('plan-fixture.json', JSON.stringify({ 'talk.mp4': { segments } } satisfies Record<string, VideoFixture>));
  /** Every stored object in the cache. */
  const cacheObjects = () =>
    readdirSync(path.join(rig.dir, 'cache/objects'), { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .map((entry) => path.join(entry.parentPath, entry.name));

  beforeAll(async () => {
    mkdirSync(path.join(rig.dir, 'videos'));
    await ffmpeg(path.join(rig.dir, 'videos/talk.mp4'), [...lavfiInputs(4), ...X264_FAST, '-x264-params', 'keyint=25:min-keyint=25:scenecut=0', '-c:a', 'aac']);
    const planFile = path.join(rig.dir, 'plan-fixture.json');
    writePlan([FIRST]);
    const fixture = path.join(REPO_ROOT, 'test/cut/fixture-pipeline.ts');
    rig.write('pipeline.config.ts', `import { fixturePipeline } from ${JSON.stringify(fixture)};\nexport default fixturePipeline(${JSON.stringify(planFile)});\n`);
    const first = await rig.run(['all', '--facefusion-jobs']);
    expect(first.code, first.stderr).toBe(0);
  });
  afterAll(() => rig.cleanup());

  it('is a writable file of its own, not a link into the cache', () => {
    const stat = statSync(script);
    expect(stat.nlink).toBe(1);
    expect(stat.mode & 0o200).toBe(0o200);
    expect(cacheObjects().map((object) => statSync(object).ino)).not.toContain(stat.ino);
  });

  it('an edit stays out of the cache and survives a rerun that changes nothing (and --verify finds the cache intact)', async () => {
    const edited = readFileSync(script, 'utf8').replace('SOURCE_FACE="${SOURCE_FACE:-}"', `SOURCE_FACE="\${SOURCE_FACE:-${EDIT}}"`);
    expect(edited).toContain(EDIT);
    writeFileSync(script, edited);
    expect(cacheObjects().filter((object) => readFileSync(object).includes(EDIT))).toEqual([]);

    const again = await rig.run(['all', '--facefusion-jobs', '--verify']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/0 ran, 0 restored from cache/);
    expect(readFileSync(script, 'utf8')).toBe(edited);
  });

  it('a rerun that changes the script replaces it and keeps the edit beside it as jobs.sh.edited', async () => {
    const edited = readFileSync(script, 'utf8');
    writePlan([FIRST, SECOND]);
    const replanned = await rig.run(['all', '--facefusion-jobs']);
    expect(replanned.code, replanned.stderr).toBe(0);
    const fresh = readFileSync(script, 'utf8');
    expect(fresh).toContain(`vbuild-${SECOND.id}`);
    expect(fresh).toContain('SOURCE_FACE="${SOURCE_FACE:-}"');
    expect(readFileSync(`${script}.edited`, 'utf8')).toBe(edited);
    expect(statSync(script).nlink).toBe(1);
  });

  it('dropping --facefusion-jobs removes the script it wrote and leaves the user\'s edited copy', async () => {
    const result = await rig.run(['all']);
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(path.dirname(script))).toEqual(['jobs.sh.edited']);
  });
});
