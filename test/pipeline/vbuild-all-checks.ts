/**
 * The whole default pipeline (embedded models, no --models) through the real `vbuild` binary on
 * real videos: what a user gets from `vbuild all`. vbuild-all.test.ts runs it on the fixtures,
 * vbuild-all-corpus.sweep.test.ts on corpus videos (720p, longer) when the corpus is there.
 */
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames } from '../../src/media/decode.ts';
import { createEmbeddedAnalyzer } from '../../src/faces/embedded/analyzer.ts';
import { embeddedPack } from '../../src/faces/embedded/pack.ts';
import type { PlanClip } from '../../src/report/model.ts';
import { defaultPipelineRig, type Rig } from '../helpers/rig.ts';
import { corpusVideo } from '../helpers/test-data.ts';
import { scaled } from '../helpers/time-limits.ts';

const MIN_DUR = 1;
const MAX_DUR = 120;
/** Half a frame at 25 fps: clip times come from packet timestamps. */
const SLACK = 0.02;

interface Plan {
  clips: PlanClip[];
}

/** Videos with faces and one without; `skip` when they are missing (having said why). */
export interface PipelineInputs {
  name: string;
  faces: string[];
  noFace: string;
  skip: boolean;
}

export function describeVbuildAll(inputs: PipelineInputs): void {
  describe.skipIf(inputs.skip)(`vbuild all on ${inputs.name} with the embedded models`, () => {
    let rig: Rig;
    let plan: Plan;

    beforeAll(async () => {
      rig = defaultPipelineRig();
      for (const video of [...inputs.faces, inputs.noFace]) {
        // A copy, not a link: the input must be a regular file of the test's own.
        copyFileSync(corpusVideo(video), path.join(rig.dir, 'videos', video));
      }
      const result = await rig.run(['all', '--device', 'cpu']);
      expect(result.code, result.stderr).toBe(0);
      plan = JSON.parse(rig.read('out/plan.json')) as Plan;
    }, scaled(300_000));

    afterAll(() => rig?.cleanup());

    async function scenesOf(video: string): Promise<{ start: number; end: number }[]> {
      const result = await rig.run(['cat', 'scenes', video]);
      return (JSON.parse(result.stdout) as { scenes: { start: number; end: number }[] }).scenes;
    }

    it('cuts clips of the face videos and none of the no-face one, each within the duration bounds', () => {
      const sources = new Set(plan.clips.map((clip) => clip.source));
      expect(sources).toEqual(new Set(inputs.faces));
      for (const clip of plan.clips) {
        expect(clip.file, `${clip.id} was skipped: ${clip.skipped}`).not.toBeNull();
        expect(existsSync(path.join(rig.dir, 'out', clip.file!))).toBe(true);
        expect(clip.end - clip.start).toBeGreaterThanOrEqual(MIN_DUR - SLACK);
        expect(clip.end - clip.start).toBeLessThanOrEqual(MAX_DUR + SLACK);
      }
    });

    it('delivers every clip within one frame of its plan', () => {
      for (const clip of plan.clips) {
        const what = `${clip.id} of ${clip.source} (${clip.mode}, planned ${clip.requestedStart}-${clip.requestedEnd})`;
        expect(Math.abs(clip.start - clip.requestedStart), what).toBeLessThanOrEqual(clip.frameDuration + 1e-6);
        expect(Math.abs(clip.end - clip.requestedEnd), what).toBeLessThanOrEqual(clip.frameDuration + 1e-6);
        expect(clip.offPlan, what).toBe(false);
      }
    });

    it('never lets a clip cross a shot boundary', async () => {
      for (const video of new Set(plan.clips.map((clip) => clip.source))) {
        const scenes = await scenesOf(video);
        for (const clip of plan.clips.filter((c) => c.source === video)) {
          const inside = scenes.some((scene) => clip.start >= scene.start - SLACK && clip.end <= scene.end + SLACK);
          expect(inside, `${clip.id} ${clip.start}-${clip.end} of ${video}`).toBe(true);
        }
      }
    });

    it('the first decoded frame of every clip shows a face', async () => {
      const analyzer = await createEmbeddedAnalyzer(await embeddedPack(path.join(rig.dir, 'cache/models')), {
        device: 'cpu',
        threads: 1,
        scoreThreshold: 0.5,
      });
      expect(plan.clips.length).toBeGreaterThan(0);
      for (const clip of plan.clips) {
        for await (const frame of decodeFrames(path.join(rig.dir, 'out', clip.file!), { pixFmt: 'rgb24' })) {
          const [faces] = await analyzer.detect([frame]);
          expect(faces!.length, `first frame of ${clip.file}`).toBeGreaterThan(0);
          break;
        }
      }
    });
  });
}
