/** Tracks of one video: faces linked sample to sample and stitched across gaps, scene by scene. */

import type { Scene } from '../media/scene-cuts.ts';
import type { Sample } from './detections.ts';
import { linkSamples, type Chain } from './link.ts';
import { stitchChains } from './stitch.ts';
import type { Track, TrackParams } from './types.ts';

/** Tolerance for sample pts that land a hair before their scene's first frame. */
const TIME_EPSILON = 1e-6;

/** Index of the scene holding time `t`: the last one starting at or before it (the first for earlier times). */
export function sceneAt(scenes: readonly Scene[], t: number): number {
  let found = 0;
  for (let k = 0; k < scenes.length; k++) {
    if (scenes[k]!.start <= t + TIME_EPSILON) found = k;
    else break;
  }
  return scenes[found]?.index ?? 0;
}

/** Samples grouped by scene, each group in time order, so no track can cross a cut. */
function samplesByScene(samples: readonly Sample[], scenes: readonly Scene[]): Map<number, Sample[]> {
  const groups = new Map<number, Sample[]>();
  for (const sample of samples) {
    const scene = sceneAt(scenes, sample.t);
    let group = groups.get(scene);
    if (!group) groups.set(scene, (group = []));
    group.push(sample);
  }
  return groups;
}

function toTrack(chain: Chain, scene: number): Omit<Track, 'id'> {
  return {
    scene,
    start: chain[0]!.t,
    end: chain[chain.length - 1]!.t,
    samples: chain.map(({ t, face }) => ({ t, face })),
  };
}

/** Ids follow time, then the face order of the first sample, so they are stable for equal input. */
export function buildTracks(samples: readonly Sample[], scenes: readonly Scene[], step: number, params: TrackParams): Track[] {
  const tracks: Omit<Track, 'id'>[] = [];
  for (const [scene, group] of samplesByScene(samples, scenes)) {
    for (const chain of stitchChains(linkSamples(group, params), step, params)) tracks.push(toTrack(chain, scene));
  }
  tracks.sort((a, b) => a.start - b.start || a.samples[0]!.face - b.samples[0]!.face);
  return tracks.map((track, id) => ({ id, ...track }));
}
