/** What the scenes rule writes: scenes.json, the shot boundaries. */
import type { TimeSpan } from '../media/frame-times.ts';
import type { Scene } from '../media/scene-cuts.ts';

export const SCENES_FILE = 'scenes.json';

/** What `scenes` writes; times are pts seconds on the video's own timeline. */
export interface ScenesFile {
  /** pts of the first frame of each new shot. */
  cuts: number[];
  /** Indices of the same frames (0 = the first frame, in presentation order). */
  cutFrames: number[];
  /** Cover the video from its first frame's pts to the end of its last frame. */
  scenes: Scene[];
  frameCount: number;
  /**
   * Where the video has no picture for a while (frame-times.ts): from the end of the frame before
   * to the next frame. Only written when there is one, so a video without leaves the same file.
   */
  gaps?: TimeSpan[];
}
