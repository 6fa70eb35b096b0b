/**
 * The real pipeline's scan, scenes, cut, thumbnails and report rules, with detect, track and
 * score replaced by rules that write hand-written artifacts from a plan file (item id -> what
 * those rules would have found). Editing the plan file re-plans: the file is an input of them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, defineRule } from '../../src/index.ts';
import type { BuildContext } from '../../src/engine/rule.ts';
import type { Rejection, Segment } from '../../src/score/types.ts';
import type { TrackSpan } from '../../src/report/model.ts';
import { cut } from '../../rules/cut.ts';
import { sidecars } from '../../rules/sidecars.ts';
import { report, thumbnails } from '../../rules/report.ts';
import { scan } from '../../rules/scan.ts';
import { sceneScores, scenes } from '../../rules/scenes.ts';
import { CLIP_PLAN_FILE, SEGMENTS_FILE } from '../../src/artifacts/score.ts';

export interface VideoFixture {
  segments: Segment[];
  rejected?: Rejection[];
  tracks?: TrackSpan[];
  sampledFrames?: number;
}

export const SCORE_PARAMS = { max_yaw: 75, min_face: 80 };

export function fixturePipeline(planFile: string) {
  const fixtureOf = (ctx: BuildContext): VideoFixture =>
    (JSON.parse(readFileSync(planFile, 'utf8')) as Record<string, VideoFixture>)[ctx.item!.id] ?? { segments: [] };
  const fixtureRule = (name: string, outputs: Record<string, (fixture: VideoFixture) => unknown>) =>
    defineRule({
      name,
      per: 'video',
      version: 1,
      extraInputs: () => [planFile],
      async run(ctx) {
        for (const [output, content] of Object.entries(outputs)) {
          writeFileSync(path.join(ctx.outDir, output), JSON.stringify(content(fixtureOf(ctx))));
        }
      },
    });

  return defineConfig({
    input: { dir: 'videos', include: ['**/*.{mp4,webm}'] },
    output: 'out',
    cache: 'cache',
    rules: [
      scan,
      sceneScores,
      scenes,
      fixtureRule('detect', { 'summary.json': (f) => ({ sampledFrames: f.sampledFrames ?? 0, faces: 0, frameErrors: 0 }) }),
      fixtureRule('track', { 'tracks.json': (f) => ({ tracks: f.tracks ?? [] }) }),
      fixtureRule('score', {
        [SEGMENTS_FILE]: (f) => ({ segments: f.segments, rejected: f.rejected ?? [], params: SCORE_PARAMS }),
        [CLIP_PLAN_FILE]: (f) => ({ segments: f.segments }),
      }),
      cut,
      sidecars,
      thumbnails,
      report,
    ],
  });
}
