/**
 * Links faces of consecutive samples of one scene into chains: greedy one-to-one assignment,
 * best pairs first, by box overlap (and identity, where both faces have embeddings).
 */

import { cosineSimilarity } from '../faces/geometry/vector.ts';
import type { DetectedFace, Sample } from './detections.ts';
import { iou } from './geometry.ts';
import type { TrackParams } from './types.ts';

export interface Sighting {
  t: number;
  face: number;
  detected: DetectedFace;
}

/** Sightings of one face in time order; a track before ids are given. */
export type Chain = Sighting[];

/** Cosine similarity of two faces' embeddings, null when either has none. */
export function embeddingSimilarity(a: DetectedFace, b: DetectedFace): number | null {
  return a.embedding && b.embedding ? cosineSimilarity(a.embedding, b.embedding) : null;
}

interface Pair {
  chain: number;
  face: number;
  score: number;
}

function candidatePairs(open: readonly Chain[], faces: readonly DetectedFace[], params: TrackParams): Pair[] {
  const pairs: Pair[] = [];
  open.forEach((chain, c) => {
    const last = chain[chain.length - 1]!.detected;
    faces.forEach((face, f) => {
      const overlap = iou(last.box, face.box);
      if (overlap < params.iou) return;
      const similarity = embeddingSimilarity(last, face);
      if (similarity !== null && similarity < params.similarity) return;
      pairs.push({ chain: c, face: f, score: overlap + (similarity ?? 0) });
    });
  });
  // Stable sort: equal scores keep chain then face order, so the result never depends on chance.
  return pairs.sort((a, b) => b.score - a.score);
}

/**
 * Chains of one scene's samples (in time order). Only consecutive samples are linked: a failed
 * frame or a sample where a face is missing ends its chain; stitching joins pieces across gaps.
 */
export function linkSamples(samples: readonly Sample[], params: TrackParams): Chain[] {
  const chains: Chain[] = [];
  let open: Chain[] = [];
  for (const sample of samples) {
    const faces = sample.faces;
    if (!faces) {
      open = [];
      continue;
    }
    const next: Chain[] = [];
    const takenChains = new Set<number>();
    const takenFaces = new Set<number>();
    for (const pair of candidatePairs(open, faces, params)) {
      if (takenChains.has(pair.chain) || takenFaces.has(pair.face)) continue;
      takenChains.add(pair.chain);
      takenFaces.add(pair.face);
      const chain = open[pair.chain]!;
      chain.push({ t: sample.t, face: pair.face, detected: faces[pair.face]! });
      next.push(chain);
    }
    faces.forEach((detected, face) => {
      if (takenFaces.has(face)) return;
      const chain: Chain = [{ t: sample.t, face, detected }];
      chains.push(chain);
      next.push(chain);
    });
    open = next;
  }
  return chains;
}
