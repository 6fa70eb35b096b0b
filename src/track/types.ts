/** What `track` writes (tracks.json, docs/artifacts.md). */

export interface TrackSample {
  /** pts of the sampled frame: identifies its line in detections.jsonl. */
  t: number;
  /** Index of the face within that line's `faces`. */
  face: number;
}

export interface Track {
  id: number;
  /** Index of the scene the whole track lies in. */
  scene: number;
  /** pts of the first and of the last sample. */
  start: number;
  end: number;
  samples: TrackSample[];
}

export interface TrackParams {
  /** Least IoU between a face and the next sample's face for them to be linked. */
  iou: number;
  /** Longest run of seconds without a sighting across which two pieces may be stitched. */
  gap: number;
  /** Least cosine similarity of embeddings for a link or a stitch, where both have embeddings. */
  similarity: number;
}
