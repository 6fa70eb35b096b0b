import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';

export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

/** Median wall seconds of `rounds` runs, each writing into a fresh folder under `scratch` that is removed after. */
export async function medianSeconds(rounds: number, scratch: string, run: (out: string) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const out = path.join(scratch, `out-${round}-${Math.random().toString(36).slice(2)}`);
    await mkdir(out);
    const began = performance.now();
    await run(out);
    times.push((performance.now() - began) / 1000);
    await rm(out, { recursive: true });
  }
  return median(times);
}
