/**
 * `<uuid>.json` beside a clip (`--sidecar`): the clip described on its own, so that it can be
 * moved away from the output folder and still say where it came from and how it was made.
 */
import path from 'node:path';
import type { Item } from '../engine/rule.ts';
import type { Probe } from '../media/probe.ts';
import type { ClipEntry, ClipsFile } from '../artifacts/cut.ts';
import type { Sidecar } from '../artifacts/sidecars.ts';

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
