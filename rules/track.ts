/**
 * track: faces of consecutive samples linked into tracks inside each scene (box overlap, and
 * identity where the pack gives embeddings), pieces stitched across short detection gaps.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineRule } from '../src/engine/rule.ts';
import { TRACKS_FILE } from '../src/artifacts/track.ts';
import { parseSamples, sampleStep } from '../src/track/detections.ts';
import { buildTracks } from '../src/track/track.ts';
import type { TrackParams } from '../src/track/types.ts';
import type { TracksFile } from '../src/artifacts/track.ts';
import { DETECTIONS_FILE } from '../src/artifacts/detect.ts';
import { SCENES_FILE, type ScenesFile } from '../src/artifacts/scenes.ts';

export const track = defineRule({
  name: 'track',
  per: 'video',
  deps: ['detect', 'scenes'],
  readsItem: false,
  version: 1,
  params: {
    track_iou: { type: 'number', default: 0.3, min: 0, max: 1, doc: 'least box overlap (IoU) that links a face to the next sample\'s face' },
    track_gap: {
      type: 'number',
      default: 1,
      min: 0,
      doc: 'longest time in seconds without a sighting across which two pieces of a track are stitched',
    },
    track_similarity: {
      type: 'number',
      default: 0.5,
      min: -1,
      max: 1,
      doc: 'least embedding cosine similarity for a link or a stitch (when the model pack gives embeddings)',
    },
  },
  async run(ctx) {
    const params: TrackParams = {
      iou: ctx.param.number('track_iou'),
      gap: ctx.param.number('track_gap'),
      similarity: ctx.param.number('track_similarity'),
    };
    const samples = parseSamples(await readFile(ctx.depFile('detect', DETECTIONS_FILE), 'utf8'));
    const { scenes } = await ctx.readJson<ScenesFile>(ctx.depFile('scenes', SCENES_FILE));
    const step = sampleStep(samples);
    const result: TracksFile = { sampleStep: step, tracks: buildTracks(samples, scenes, step, params) };
    await writeFile(path.join(ctx.outDir, TRACKS_FILE), `${JSON.stringify(result)}\n`);
  },
});
