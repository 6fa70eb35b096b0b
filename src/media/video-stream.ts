/**
 * Which of a file's video streams is "the video". ffmpeg's `v:0` is the first in the container,
 * which may be cover art (an attached picture, or a JPEG stored as an ordinary track by a tool
 * that muxed it first) or the small one of two renditions: analysing it gives no clips and no
 * word why. The main stream is the largest moving picture: not an attached picture, not a still
 * image codec when a moving one exists, then the most pixels, then the first.
 */
import { stat } from 'node:fs/promises';
import { MediaError, runTool } from './ffmpeg.ts';

export interface StreamFacts {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  disposition?: { attached_pic?: number };
}

/** Codecs of single pictures: a track of one is a still, not a video, whenever a video is there. */
const STILL_IMAGE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'gif', 'webp', 'tiff', 'jpegls', 'jpeg2000']);

export function chooseVideoStream<S extends StreamFacts>(streams: readonly S[]): S | undefined {
  const rank = (stream: S) => [
    stream.disposition?.attached_pic ? 0 : 1,
    STILL_IMAGE_CODECS.has(stream.codec_name ?? '') ? 0 : 1,
    (stream.width ?? 0) * (stream.height ?? 0),
  ];
  const videos = streams.filter((stream) => stream.codec_type === 'video');
  return videos.reduce<S | undefined>((best, stream) => {
    if (best === undefined) return stream;
    const [a, b] = [rank(stream), rank(best)];
    const first = a.findIndex((value, i) => value !== b[i]);
    return first >= 0 && a[first]! > b[first]! ? stream : best;
  }, undefined);
}

const chosen = new Map<string, Promise<number>>();

/**
 * The absolute index of `file`'s main video stream (as `-map 0:<index>` and `-select_streams
 * <index>` take it), read once per file version in this process: every decode, probe and cut of
 * one video asks for it.
 */
export async function mainVideoStream(file: string, signal?: AbortSignal): Promise<number> {
  const info = await stat(file);
  const version = `${file}\0${info.size}\0${info.mtimeMs}`;
  let index = chosen.get(version);
  if (index === undefined) {
    index = readMainVideoStream(file, signal);
    chosen.set(version, index);
    index.catch(() => chosen.delete(version));
  }
  return index;
}

async function readMainVideoStream(file: string, signal?: AbortSignal): Promise<number> {
  const { stdout } = await runTool(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=index,codec_type,codec_name,width,height:stream_disposition=attached_pic', '-of', 'json', file],
    file,
    { signal, what: `cannot read "${file}" as a media file` },
  );
  const streams = (JSON.parse(stdout) as { streams?: StreamFacts[] }).streams ?? [];
  const main = chooseVideoStream(streams);
  if (main?.index === undefined) throw new MediaError(`no video stream in "${file}"`, file);
  return main.index;
}
