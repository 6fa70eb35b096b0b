/**
 * Joins chains of one scene across short detection gaps (a face missed for a few samples, a
 * failed frame, a link broken by fast motion) when they are the same face: embeddings that agree,
 * or, without embeddings, a face that reappears about where it vanished.
 */

import { embeddingSimilarity, type Chain } from './link.ts';
import { meanEmbedding } from './embedding.ts';
import { centreDistance, faceSize } from './geometry.ts';
import { cosineSimilarity } from '../faces/geometry/vector.ts';
import type { TrackParams } from './types.ts';

/** Sample times are pts from the decoder; differences carry rounding noise. */
const TIME_EPSILON = 1e-3;

interface Join {
  from: number;
  to: number;
  missing: number;
  similarity: number;
}

function chainEmbedding(chain: Chain): Float32Array | null {
  const vectors = chain.flatMap((s) => (s.detected.embedding ? [s.detected.embedding] : []));
  return meanEmbedding(vectors);
}

/**
 * How alike the end of `a` and the start of `b` are, null when they do not agree. With embeddings
 * the whole pieces are compared (one blurred frame should not decide); without, the face must
 * reappear within its own size of where it was last seen.
 */
function agreement(a: Chain, b: Chain, ea: Float32Array | null, eb: Float32Array | null, params: TrackParams): number | null {
  if (ea && eb) {
    const similarity = cosineSimilarity(ea, eb);
    return similarity >= params.similarity ? similarity : null;
  }
  const last = a[a.length - 1]!.detected;
  const first = b[0]!.detected;
  // Faces of which only one side has an embedding are compared by boxes, like faces with none.
  if (embeddingSimilarity(last, first) !== null) return null;
  const reach = Math.max(faceSize(last.box), faceSize(first.box));
  return centreDistance(last.box, first.box) <= reach ? 0 : null;
}

/**
 * Stitched chains: greedily, the joins over the shortest gaps first (then the most similar), each
 * piece continued by at most one later piece. `step` is the time one sample stands for, so two
 * pieces one sample apart have a gap of 0 s.
 */
export function stitchChains(chains: readonly Chain[], step: number, params: TrackParams): Chain[] {
  const embeddings = chains.map(chainEmbedding);
  const joins: Join[] = [];
  chains.forEach((a, from) => {
    const end = a[a.length - 1]!.t;
    chains.forEach((b, to) => {
      const start = b[0]!.t;
      if (start <= end) return;
      const missing = Math.max(0, start - end - step);
      if (missing > params.gap + TIME_EPSILON) return;
      const similarity = agreement(a, b, embeddings[from] ?? null, embeddings[to] ?? null, params);
      if (similarity !== null) joins.push({ from, to, missing, similarity });
    });
  });
  joins.sort((x, y) => x.missing - y.missing || y.similarity - x.similarity);
  const next = new Map<number, number>();
  const hasPrevious = new Set<number>();
  for (const join of joins) {
    if (next.has(join.from) || hasPrevious.has(join.to)) continue;
    next.set(join.from, join.to);
    hasPrevious.add(join.to);
  }
  const stitched: Chain[] = [];
  chains.forEach((_, head) => {
    if (hasPrevious.has(head)) return;
    const chain: Chain = [];
    for (let k: number | undefined = head; k !== undefined; k = next.get(k)) {
      for (const sighting of chains[k]!) chain.push(sighting);
    }
    stitched.push(chain);
  });
  return stitched;
}
