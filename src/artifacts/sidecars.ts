/** What the sidecars rule writes (`--sidecar`): `<uuid>.json` beside each clip, the clip described on its own. */
import type { Probe } from '../media/probe.ts';
import type { ClipEntry, CutParams } from './cut.ts';

/** The source video: where it was (relative to the input folder, and its name) and what it is. */
export interface SidecarSource extends Pick<Probe, 'durationSec' | 'fpsAvg' | 'width' | 'height' | 'rotation' | 'videoCodec' | 'audioCodec'> {
  /** Its path relative to the input folder, with forward slashes (the item id). */
  path: string;
  /** Its file name. */
  file: string;
}

export interface Sidecar extends ClipEntry {
  /** The vbuild version that cut the clip. */
  vbuildVersion: string;
  /** Content hash (xxh64) of the source video. */
  sourceHash: string;
  source: SidecarSource;
  cutParams: CutParams;
  /** The score rule's params, which planned the clip. */
  scoreParams: Record<string, number | string>;
}
