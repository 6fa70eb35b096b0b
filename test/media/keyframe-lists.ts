import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { expect } from 'vitest';
import { probe } from '../../src/media/probe.ts';

/** Every MP4 and WebM in `folder` (at least `atLeast` of them) has an ascending keyframe list that starts at its first frame. */
export async function expectKeyframeLists(folder: string, atLeast: number): Promise<void> {
  const files = (await readdir(folder)).filter((name) => /\.(mp4|webm)$/.test(name)).map((name) => path.join(folder, name));
  expect(files.length).toBeGreaterThanOrEqual(atLeast);
  for (const file of files) {
    const facts = await probe(file);
    expect(facts.keyframes[0], file).toBe(facts.startSec);
    expect([...facts.keyframes].sort((a, b) => a - b), file).toEqual(facts.keyframes);
    expect(facts.vfr, file).toBe(false);
  }
}
