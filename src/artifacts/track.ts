/** What the track rule writes: tracks.json. */
import type { Track } from '../track/types.ts';

export const TRACKS_FILE = 'tracks.json';

export interface TracksFile {
  /** Seconds between consecutive samples (1 / sample_fps): how long one sample stands for. */
  sampleStep: number;
  tracks: Track[];
}
