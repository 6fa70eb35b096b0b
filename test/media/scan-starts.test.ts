/**
 * The tools a run starts per video (issue 16, many short videos). Scan's streams listing decodes
 * the first packets too, so a video whose first packets show a frame costs scan two starts, not
 * three; the cut of a small file plans from the packet table scan read in the same run, not from
 * another ffprobe. The tools are the real ones behind FFMPEG_PATH/FFPROBE_PATH wrappers that log
 * each start.
 */
import { chmodSync, copyFileSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locate, type Tool } from '../../src/media/ffmpeg.ts';
import { Rig, defaultPipelineRig } from '../helpers/rig.ts';
import { fixtureVideo } from '../helpers/test-data.ts';

const rigs: Rig[] = [];
afterAll(() => rigs.forEach((rig) => rig.cleanup()));

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** Wrappers that log `<tool> <input file> <arguments>` (the input: the argument after -i, else the last) and run the real tools. */
function loggingTools(rig: Rig): NodeJS.ProcessEnv {
  const wrapper = (tool: Tool) => {
    const script = [
      '#!/bin/sh',
      'input=; previous=; for arg; do [ "$previous" = -i ] && input=$arg; previous=$arg; done',
      `printf '%s %s %s\\n' ${tool} "$(basename "\${input:-$previous}")" "$*" >> ${shellQuote(path.join(rig.dir, 'starts.log'))}`,
      `exec ${shellQuote(locate(tool).path)} "$@"`,
    ];
    const file = rig.write(`bin/${tool}`, `${script.join('\n')}\n`);
    chmodSync(file, 0o755);
    return file;
  };
  return { FFMPEG_PATH: wrapper('ffmpeg'), FFPROBE_PATH: wrapper('ffprobe') };
}

const startsOf = (rig: Rig) => readFileSync(path.join(rig.dir, 'starts.log'), 'utf8').trim().split('\n');

describe('tool starts', () => {
  it('scan: two for a video whose first packets show a frame; three where a second of audio comes first', async () => {
    const rig = new Rig();
    rigs.push(rig);
    // multishot's first packets hold a video frame; hamilton's file starts with its audio's first second.
    copyFileSync(fixtureVideo('multishot_8shots_640x360_25fps.mp4'), path.join(rig.write('videos/.keep', ''), '../multishot.mp4'));
    copyFileSync(fixtureVideo('hamilton_whitehouse_cuts_640x360.mp4'), path.join(rig.dir, 'videos/hamilton.mp4'));
    const result = await rig.run(['scan', '--input', 'videos'], loggingTools(rig));
    expect(result.code, result.stderr).toBe(0);
    const starts = startsOf(rig).map((line) => line.split(' ').slice(0, 2).join(' ')).sort();
    expect(starts).toEqual(['ffmpeg hamilton.mp4', 'ffprobe hamilton.mp4', 'ffprobe hamilton.mp4', 'ffprobe multishot.mp4', 'ffprobe multishot.mp4']);
  });

  it("vbuild all: a small video's packet table is read once, by scan, and its cut plans from it", async () => {
    const rig = defaultPipelineRig();
    rigs.push(rig);
    copyFileSync(fixtureVideo('multishot_8shots_640x360_25fps.mp4'), path.join(rig.dir, 'videos/multishot.mp4'));
    const result = await rig.run(['all', '--device', 'cpu'], loggingTools(rig));
    expect(result.code, result.stderr).toBe(0);
    expect(readdirSync(path.join(rig.dir, 'out/multishot')).filter((name) => name.endsWith('.mp4')).length).toBeGreaterThan(0);
    const tableReads = startsOf(rig).filter((line) => line.startsWith('ffprobe multishot.mp4 ') && line.includes('packet=pts_time'));
    expect(tableReads).toHaveLength(1);
    expect(tableReads[0]).not.toContain('-read_intervals');
  });
});
