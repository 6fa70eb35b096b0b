/** scan: ffprobe facts about one video (fps, size, rotation, codecs, keyframes) for later rules. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineRule } from '../src/engine/rule.ts';
import { probe, type Probe } from '../src/media/probe.ts';
import { decodingDeparture, fileStreams } from '../src/media/video-stream.ts';

export const PROBE_FILE = 'probe.json';
/**
 * How this video is decoded for analysis where that departs from the plain way (video-stream.ts):
 * written only then. The rules that decode the video read it, so it joins their keys exactly for
 * such files: cover art muxed first, a second rendition, anamorphic pixels. Their earlier results
 * came from another stream or shape and are rebuilt; every other file's stay fresh.
 */
export const DECODING_FILE = 'decoding.json';

/**
 * What `scan` writes: the Probe without the file name. Artifacts are keyed by content, so a
 * renamed video reuses this one; it must not carry a name.
 */
export type ProbeFile = Omit<Probe, 'file'>;

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
