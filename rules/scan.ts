/** scan: ffprobe facts about one video (fps, size, rotation, codecs, keyframes) for later rules. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineRule } from '../src/engine/rule.ts';
import { probe, type Probe } from '../src/media/probe.ts';

export const PROBE_FILE = 'probe.json';

/** What `scan` writes: the Probe, with `file` being the item id (its path relative to the input root). */
export type ProbeFile = Probe;

export const scan = defineRule({
  name: 'scan',
  per: 'video',
  version: 1,
  resources: { io: 1 },
  async run(ctx) {
    if (!ctx.item) throw new Error(`${ctx.rule} is a per-video rule but ran without an item`);
    const facts = await probe(ctx.item.path);
    // The item id, not the absolute path: the artifact must not change when the input folder moves.
    const record: ProbeFile = { ...facts, file: ctx.item.id };
    await writeFile(path.join(ctx.outDir, PROBE_FILE), `${JSON.stringify(record, null, 2)}\n`);
  },
});
