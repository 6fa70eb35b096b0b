/** A video's duration from its container header: enough for a progress total, no packet scan. */

import { runTool } from '../media/ffmpeg.ts';
import { mainVideoStream } from '../media/video-stream.ts';

/** Seconds, or null when the container does not say (then progress has no total). */
export async function videoDuration(file: string, signal?: AbortSignal): Promise<number | null> {
  const { stdout } = await runTool(
    'ffprobe',
    ['-v', 'error', '-select_streams', String(await mainVideoStream(file, signal)), '-show_entries', 'stream=duration:format=duration', '-of', 'json', file],
    file,
    { signal, what: `cannot read the duration of "${file}"` },
  );
  const parsed = JSON.parse(stdout) as { streams?: { duration?: string }[]; format?: { duration?: string } };
  const seconds = Number(parsed.streams?.[0]?.duration ?? parsed.format?.duration);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}
