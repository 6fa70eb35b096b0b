/** The numbers a segment carries about its faces, for the report and for sorting clips. */

import { faceSize } from '../track/geometry.ts';
import { median } from './reasons.ts';
import type { SegmentScores, TrackSighting } from './types.ts';

const round3 = (value: number) => Math.round(value * 1000) / 1000;

function meanOrNull(values: readonly number[]): number | null {
  return values.length === 0 ? null : round3(values.reduce((a, b) => a + b, 0) / values.length);
}

export function segmentScores(sightings: readonly TrackSighting[]): SegmentScores {
  const faces = sightings.map((s) => s.face);
  const passing = sightings.filter((s) => s.failures.length === 0).length;
  const yaws = faces.flatMap((f) => (f.yaw === null ? [] : [Math.abs(f.yaw)]));
  const pitches = faces.flatMap((f) => (f.pitch === null ? [] : [Math.abs(f.pitch)]));
  return {
    frames: sightings.length,
    passing,
    passRatio: sightings.length === 0 ? 0 : round3(passing / sightings.length),
    medianFace: faces.length === 0 ? 0 : Math.round(median(faces.map((f) => faceSize(f.box)))),
    meanDetScore: meanOrNull(faces.map((f) => f.score)) ?? 0,
    meanAbsYaw: meanOrNull(yaws),
    maxAbsYaw: yaws.length === 0 ? null : round3(yaws.reduce((a, b) => Math.max(a, b))),
    meanAbsPitch: meanOrNull(pitches),
  };
}
