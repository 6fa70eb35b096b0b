/** Identity embeddings of tracks. */

/** The normalised mean direction of `vectors` (all of one length), or null when there are none. */
export function meanEmbedding(vectors: readonly Float32Array[]): Float32Array | null {
  const first = vectors[0];
  if (!first) return null;
  const sum = new Float32Array(first.length);
  for (const v of vectors) {
    if (v.length !== sum.length) throw new Error(`cannot average embeddings of ${sum.length} and ${v.length} values`);
    for (let k = 0; k < v.length; k++) sum[k]! += v[k]!;
  }
  let squares = 0;
  for (const v of sum) squares += v * v;
  const norm = Math.sqrt(squares);
  return norm === 0 ? sum : sum.map((v) => v / norm);
}
