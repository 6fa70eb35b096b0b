/**
 * `<uuid>.json` beside a clip (`--sidecar`): the clip described on its own, so that it can be
 * moved away from the output folder and still say where it came from and how it was made.
 */
import path from 'node:path';
import type { Item } from '../engine/rule.ts';
import type { Probe } from '../media/probe.ts';
import type { ClipEntry, ClipsFile, CutParams } from './clips-file.ts';

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

export function sidecarOf(
  clip: ClipEntry,
  clips: ClipsFile,
  item: Item,
  probe: Omit<Probe, 'file'>,
  scoreParams: Record<string, number | string>,
): Sidecar {
  const { durationSec, fpsAvg, width, height, rotation, videoCodec, audioCodec } = probe;
  return {
    ...clip,
    vbuildVersion: clips.vbuildVersion,
    sourceHash: clips.sourceHash,
    source: { path: item.id, file: path.posix.basename(item.id), durationSec, fpsAvg, width, height, rotation, videoCodec, audioCodec },
    cutParams: clips.cutParams,
    scoreParams,
  };
}
