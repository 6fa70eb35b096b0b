/** scan: ffprobe facts about one video (fps, size, rotation, codecs, keyframes) for later rules. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineRule } from '../src/engine/rule.ts';
import { DECODING_FILE, PROBE_FILE } from '../src/artifacts/scan.ts';
import { probe, type Probe } from '../src/media/probe.ts';
import { decodingDeparture, fileStreams } from '../src/media/video-stream.ts';


export const scan = defineRule({
  name: 'scan',
  per: 'video',
  // 4: decoding.json (probe.json is as version 3 wrote it).
  version: 4,
  resources: { io: 1 },
  async run(ctx) {
    const { file: _, ...record }: Probe = await probe(ctx.item.path, { signal: ctx.signal });
    await writeFile(path.join(ctx.outDir, PROBE_FILE), `${JSON.stringify(record, null, 2)}\n`);
    const departure = decodingDeparture((await fileStreams(ctx.item.path, ctx.signal)).streams ?? []);
    if (departure) await writeFile(path.join(ctx.outDir, DECODING_FILE), `${JSON.stringify(departure, null, 2)}\n`);
  },
});
