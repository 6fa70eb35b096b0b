/** thumbnail() and ffmpegInfo(). */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegInfo } from '../../src/media/doctor.ts';
import { runTool } from '../../src/media/ffmpeg.ts';
import { thumbnail } from '../../src/media/thumbnail.ts';
import { corpus, tempDir } from './media-fixtures.ts';

describe('thumbnail', () => {
  let dir = '';
  let remove = async () => {};
  beforeAll(async () => ({ dir, remove } = await tempDir()));
  afterAll(() => remove());

  it('writes a scaled JPEG of the frame at a time and leaves no temp file', async () => {
    const out = path.join(dir, 'shot3.jpg');
    await thumbnail(corpus('hamilton_whitehouse_cuts_640x360.mp4'), 3.6, out, { width: 320 });
    const { stdout } = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height', '-of', 'csv=p=0', out], out);
    expect(stdout.trim()).toBe('mjpeg,320,180');
    expect(await readdir(dir)).toEqual(['shot3.jpg']);
  });

  it('fails naming the file when there is no frame at that time', async () => {
    const out = path.join(dir, 'late.png');
    const video = corpus('hamilton_whitehouse_cuts_640x360.mp4');
    await expect(thumbnail(video, 60, out)).rejects.toThrow(video);
    expect(await readdir(dir)).not.toContain('late.png');
  });
});

describe('ffmpegInfo', () => {
  it('says which ffmpeg and ffprobe are used and their versions', async () => {
    const info = await ffmpegInfo();
    expect(info.ffmpeg.version).toMatch(/^ffmpeg version /);
    expect(info.ffprobe.version).toMatch(/^ffprobe version /);
    expect(['env', 'path', 'npm']).toContain(info.ffmpeg.source);
    expect(path.isAbsolute(info.ffmpeg.path)).toBe(true);
  });
});
