/** One still image of a video at a given time, written atomically. */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { DECODER_THREAD, FFMPEG_BASE_ARGS, FILTER_THREAD, MediaError, SQUARE_PIXELS_FILTER, formatSeconds, runTool } from './ffmpeg.ts';
import { mainVideoStream } from './video-stream.ts';

/** A sibling temp name that keeps the extension, so ffmpeg still picks the image format from it. */
export function tempSibling(file: string): string {
  const ext = path.extname(file);
  return path.join(path.dirname(file), `.${path.basename(file, ext)}.${randomBytes(4).toString('hex')}.tmp${ext}`);
}

export interface ThumbnailOptions {
  width?: number;
  /** The video stream's index where the caller knows it (a file it wrote): spares the ffprobe that finds the main one. */
  videoStream?: number;
  signal?: AbortSignal;
}

/**
 * Writes the first frame at or after `time` (seconds on the file's timeline, as in Probe and
 * Frame) to `outFile`; the format follows its extension (.jpg, .png, .webp).
 */
export async function thumbnail(file: string, time: number, outFile: string, opts: ThumbnailOptions = {}): Promise<void> {
  const filters = [`trim=start=${formatSeconds(time)}`, SQUARE_PIXELS_FILTER];
  if (opts.width !== undefined) filters.push(`scale=${opts.width}:-2:flags=area`);
  const temp = tempSibling(outFile);
  const args = [
    ...FFMPEG_BASE_ARGS,
    ...FILTER_THREAD,
    '-loglevel', 'error',
    '-copyts',
    ...DECODER_THREAD,
    '-seek_timestamp', '1',
    '-noaccurate_seek',
    '-ss', formatSeconds(time),
    '-i', file,
    '-map', `0:${opts.videoStream ?? (await mainVideoStream(file, opts.signal))}`,
    '-vf', filters.join(','),
    '-frames:v', '1',
    '-q:v', '3', // JPEG quality on ffmpeg's 2 (best) to 31 scale; ignored by lossless formats
    '-y', temp,
  ];
  try {
    const what = `cannot extract a thumbnail at ${time}s from "${file}"`;
    const { stderr } = await runTool('ffmpeg', args, file, { what, signal: opts.signal });
    // Past the last frame ffmpeg succeeds and writes nothing.
    const written = await stat(temp).then((info) => info.size > 0, () => false);
    if (!written) throw new MediaError(`${what}: no frame at or after that time`, file, stderr);
    await rename(temp, outFile);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
