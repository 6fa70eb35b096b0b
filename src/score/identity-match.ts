/** The identity filter's verdict on a track: does its mean embedding match the reference face? */

import { meanEmbedding } from '../track/embedding.ts';
import { cosineSimilarity } from '../faces/geometry/vector.ts';
import type { Sighting } from './types.ts';

export interface IdentityFilter {
  /** L2-normalised mean embedding of the reference face(s). */
  reference: Float32Array;
  /** Least cosine similarity of a kept track. */
  threshold: number;
}

export type IdentityVerdict = { similarity: number; reason: string | null };

export function identityVerdict(sightings: readonly Sighting[], filter: IdentityFilter): IdentityVerdict {
  const mean = meanEmbedding(sightings.flatMap((s) => (s.face.embedding ? [s.face.embedding] : [])));
  if (!mean) return { similarity: 0, reason: 'no embedding to compare with the identity reference' };
  if (mean.length !== filter.reference.length) {
    throw new Error(
      `the identity reference has ${filter.reference.length}-value embeddings and the detections ${mean.length}: ` +
        'they come from different recognition models (embed the reference with the pack detect used)',
    );
  }
  const similarity = cosineSimilarity(mean, filter.reference);
  return {
    similarity,
    reason: similarity < filter.threshold ? `identity similarity ${similarity.toFixed(2)} < identity_threshold ${filter.threshold}` : null,
  };
}
