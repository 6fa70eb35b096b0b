/**
 * What scan starts per video (issue 16, many short videos): the streams listing decodes the first
 * packets too, so a video whose first packets show a frame costs two tool starts, not three. The
 * tools are the real ones behind FFMPEG_PATH/FFPROBE_PATH wrappers that log each start.
 */
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { locate, type Tool } from '../../src/media/ffmpeg.ts';
import { Rig } from '../helpers/rig.ts';
import { fixtureVideo } from '../helpers/test-data.ts';

const rig = new Rig();
afterAll(() => rig.cleanup());

const shellQuote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/** A wrapper that logs `<tool> <input file>` (the argument after -i, else the last) and runs the real tool. */
function loggingWrapper(tool: Tool): string {
  const script = [
    '#!/bin/sh',
    'input=; previous=; for arg; do [ "$previous" = -i ] && input=$arg; previous=$arg; done',
    `printf '%s %s\\n' ${tool} "$(basename "\${input:-$previous}")" >> ${shellQuote(path.join(rig.dir, 'starts.log'))}`,
    `exec ${shellQuote(locate(tool).path)} "$@"`,
  ];
  return rig.write(`bin/${tool}`, `${script.join('\n')}\n`);
}

describe('scan starts', () => {
  it('two tools for a video whose first packets show a frame; three where a second of audio comes first', async () => {
    // multishot's first packets hold a video frame; hamilton's file starts with its audio's first second.
    copyFileSync(fixtureVideo('multishot_8shots_640x360_25fps.mp4'), path.join(rig.write('videos/.keep', ''), '../multishot.mp4'));
    copyFileSync(fixtureVideo('hamilton_whitehouse_cuts_640x360.mp4'), path.join(rig.dir, 'videos/hamilton.mp4'));
    const env = { FFMPEG_PATH: loggingWrapper('ffmpeg'), FFPROBE_PATH: loggingWrapper('ffprobe') };
    for (const wrapper of Object.values(env)) chmodSync(wrapper, 0o755);
    const result = await rig.run(['scan', '--input', 'videos'], env);
    expect(result.code, result.stderr).toBe(0);
    const starts = readFileSync(path.join(rig.dir, 'starts.log'), 'utf8').trim().split('\n').sort();
    expect(starts).toEqual(['ffmpeg hamilton.mp4', 'ffprobe hamilton.mp4', 'ffprobe hamilton.mp4', 'ffprobe multishot.mp4', 'ffprobe multishot.mp4']);
  });
});
