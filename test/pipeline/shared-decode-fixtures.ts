/** What the tests of scene_scores and detect sharing a decode run and compare. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { Rig } from '../helpers/rig.ts';

/** A video with faces and cuts (the shared corpus's, else the fixture's copy). */
export const VIDEO = 'hamilton_whitehouse_cuts_640x360.mp4';

/** The two rules, and the options they run with: detect holding one core. */
const RULES = ['scene_scores', 'detect'];
const OPTIONS = ['--device', 'cpu', '--threads', '1'];
export const ARGS = [...RULES, ...OPTIONS];

/** What scene_scores logs when it decodes in detect's ffmpeg. */
export const SHARED = /\[scene_scores\] [^\n]*: decoding in one ffmpeg with detect/;

/** The same builds, each decoding alone: one rule per run, so that the other is never to run beside it. */
export async function runSeparately(rig: Rig, options: readonly string[] = []): Promise<void> {
  for (const rule of RULES) {
    const result = await rig.run([rule, ...OPTIONS, ...options]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(SHARED);
  }
}

/** Every stored output's hash (the store's file names), sorted. */
export function storedHashes(rig: Rig): string[] {
  const objects = path.join(rig.dir, 'cache/objects');
  return readdirSync(objects, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(objects, path.join(entry.parentPath, entry.name)))
    .sort();
}
