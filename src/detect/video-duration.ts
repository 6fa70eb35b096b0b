/** A video's duration from its container header: enough for a progress total, no packet scan. */

import { chooseVideoStream, fileStreams } from '../media/video-stream.ts';

/** Seconds, or null when the container does not say (then progress has no total). */
export async function videoDuration(file: string, signal?: AbortSignal): Promise<number | null> {
  // The streams scan read in this process: no ffprobe of its own.
  const { streams = [], format } = await fileStreams(file, signal);
  const seconds = Number(chooseVideoStream(streams)?.duration ?? format?.duration);
  return Number.isFinite(seconds) && seconds > 0 ? seconds : null;
}
