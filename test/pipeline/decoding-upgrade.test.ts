/**
 * Upgrading over a cache of analyses (issue 18): decoders now take the main video stream (not
 * cover art muxed first, not the smaller of two renditions) and stretch anamorphic pixels to
 * their display shape. scene_scores and detect results computed the old way are stale for exactly
 * those files: scan writes decoding.json for them alone, and the rules that decode read it. Every
 * other file's analyses stay fresh. The earlier cache is the one scan version 3 left: probe.json
 * and no decoding.json.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPipelineRig, REPO_ROOT, type Result, type Rig } from '../helpers/rig.ts';
import { ffmpeg, X264_FAST } from '../media/media-fixtures.ts';

const BEFORE_CONFIG = `
import { rm } from 'node:fs/promises';
import path from 'node:path';
import pipeline from ${JSON.stringify(path.join(REPO_ROOT, 'pipeline.config.ts'))};
import { scan } from ${JSON.stringify(path.join(REPO_ROOT, 'rules/scan.ts'))};
import { DECODING_FILE } from ${JSON.stringify(path.join(REPO_ROOT, 'src/artifacts/scan.ts'))};

// scan as version 3 was: probe.json alone.
const scanV3 = {
  ...scan,
  version: 3,
  async run(ctx) {
    await scan.run(ctx);
    await rm(path.join(ctx.outDir, DECODING_FILE), { force: true });
  },
};
export default { ...pipeline, rules: pipeline.rules.map((rule) => (rule.name === 'scan' ? scanV3 : rule)) };
`;

const TARGETS = ['scene_scores', 'detect', '--device', 'cpu'];

let rig: Rig;
let before: Result;
let after: Result;

/** The `rule@item (reasons)` of builds that ran. */
function ran(result: Result): string[] {
  return result.stderr
    .split('\n')
    .map((line) => /^\[(\w+)\] (.+?): running \((.*)\)$/.exec(line))
    .filter((match) => match !== null)
    .map(([, rule, item, reasons]) => `${rule}@${item} (${reasons})`)
    .sort();
}

beforeAll(async () => {
  rig = defaultPipelineRig();
  rig.write('before.config.ts', BEFORE_CONFIG);
  const videos = path.join(rig.dir, 'videos');
  const plain = await ffmpeg(path.join(videos, 'plain.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=2', ...X264_FAST]);
  const cover = await ffmpeg(path.join(rig.dir, 'cover.jpg'), ['-f', 'lavfi', '-i', 'color=c=red:s=640x640:d=1', '-frames:v', '1']);
  // A JPEG muxed first as an ordinary track: the old decode analysed it.
  await ffmpeg(path.join(videos, 'cover-first.mp4'), ['-i', plain, '-i', cover, '-map', '1', '-map', '0', '-c', 'copy']);
  await ffmpeg(path.join(videos, 'anamorphic.mp4'), ['-i', plain, '-vf', 'setsar=64/45', ...X264_FAST]);
  before = await rig.run([...TARGETS, '--config', 'before.config.ts']);
  after = await rig.run(TARGETS);
}, 600_000);

afterAll(() => rig?.cleanup());

describe('upgrading a cache whose analyses decoded the first video stream with pixels as stored', () => {
  it('builds every file before the upgrade', () => {
    expect(before.code, before.stderr).toBe(0);
    expect(ran(before).filter((build) => build.startsWith('detect@'))).toHaveLength(3);
  });

  it('says how the files whose decoding changed are decoded, and nothing for the others', async () => {
    const decoding = async (item: string) => JSON.parse((await rig.run(['cat', 'scan', item, 'decoding.json'])).stdout) as unknown;
    expect(await decoding('cover-first.mp4')).toEqual({ videoStream: 1 });
    expect(await decoding('anamorphic.mp4')).toEqual({ sampleAspectRatio: '64:45' });
    expect((await rig.run(['cat', 'scan', 'plain.mp4'])).stdout).toContain('"videoStream": 0');
  });

  it('re-analyses exactly the cover-art and anamorphic files; the plain file stays fresh', () => {
    expect(after.code, after.stderr).toBe(0);
    const analyses = ran(after).filter((build) => !build.startsWith('scan@'));
    expect(analyses).toEqual(
      ['detect', 'scene_scores'].flatMap((rule) =>
        ['anamorphic.mp4', 'cover-first.mp4'].map((item) => `${rule}@${item} (input added: scan/decoding.json)`),
      ),
    );
    // scan itself ran again for every file (version 3 -> 4) and wrote probe.json as before.
    expect(ran(after).filter((build) => build.startsWith('scan@'))).toEqual(
      ['anamorphic.mp4', 'cover-first.mp4', 'plain.mp4'].map((item) => `scan@${item} (rule version 3 -> 4)`),
    );
  });
});
