/** scan: ffprobe facts about one video (fps, size, rotation, codecs, keyframes) for later rules. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineRule } from '../src/engine/rule.ts';
import { probe, type Probe } from '../src/media/probe.ts';

export const PROBE_FILE = 'probe.json';

/**
 * What `scan` writes: the Probe without the file name. Artifacts are keyed by content, so a
 * renamed video reuses this one; it must not carry a name.
 */
export type ProbeFile = Omit<Probe, 'file'>;

export const scan = defineRule({
  name: 'scan',
  per: 'video',
  version: 3,
  resources: { io: 1 },
  async run(ctx) {
    if (!ctx.item) throw new Error(`${ctx.rule} is a per-video rule but ran without an item`);
    const { file: _, ...record }: Probe = await probe(ctx.item.path, { signal: ctx.signal });
    await writeFile(path.join(ctx.outDir, PROBE_FILE), `${JSON.stringify(record, null, 2)}\n`);
  },
});
