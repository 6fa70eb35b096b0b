/**
 * A file's streams as ffprobe lists them, and which video stream is "the video". ffmpeg's `v:0` is
 * the first in the container, which may be cover art (an attached picture, or a JPEG stored as an
 * ordinary track by a tool that muxed it first) or the small one of two renditions: analysing it
 * gives no clips and no word why. The main stream is the largest moving picture: not an attached
 * picture, not a still image codec when a moving one exists, then the most pixels, then the first.
 */
import { stat } from 'node:fs/promises';
import { DECODER_THREAD, MediaError, runTool } from './ffmpeg.ts';

export interface FfprobeStream {
  index?: number;
  /** The container's id of the stream: an MP4 track id ("0x1"); absent ("N/A") in Matroska. */
  id?: string;
  codec_type?: string;
  codec_name?: string;
  profile?: string;
  level?: number;
  pix_fmt?: string;
  color_range?: string;
  color_space?: string;
  color_transfer?: string;
  color_primaries?: string;
  field_order?: string;
  has_b_frames?: number;
  time_base?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  /** `64:45`; `1:1` or `0:1` (unknown) for square pixels. */
  sample_aspect_ratio?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  /** Seconds, as the container states it for the stream; absent where it does not. */
  duration?: string;
}

export interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string };
  /** The frames decoded from the file's first FIRST_PACKETS packets, where the listing was asked to decode them. */
  frames?: { stream_index?: number }[];
}

/**
 * How many packets from the file's start a listing with `decodeFirstPackets` decodes: a video frame
 * among them shows that the video decodes (probe.ts) without another tool started. Two suffice where
 * a muxer puts an audio packet first; a file that starts with a second of audio, or with packets an
 * edit list hides, shows no frame in them and gets the full check.
 */
export const FIRST_PACKETS = 3;

export async function readStreams(file: string, signal?: AbortSignal, { decodeFirstPackets = false } = {}): Promise<FfprobeOutput> {
  // Decoding sets only fields of ffprobe's own decoder (refs, coded size) and adds nb_read_frames: none that vbuild reads.
  const decode = decodeFirstPackets ? [...DECODER_THREAD, '-read_intervals', `%+#${FIRST_PACKETS}`] : [];
  const { stdout } = await runTool(
    'ffprobe',
    ['-v', 'error', ...decode, '-show_entries', `format=format_name,duration:stream${decodeFirstPackets ? ':frame=stream_index' : ''}`, '-of', 'json', file],
    file,
    { signal, what: `cannot read "${file}" as a media file` },
  );
  return JSON.parse(stdout) as FfprobeOutput;
}

/** Codecs of single pictures: a track of one is a still, not a video, whenever a video is there. */
const STILL_IMAGE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'gif', 'webp', 'tiff', 'jpegls', 'jpeg2000']);

export function chooseVideoStream<S extends FfprobeStream>(streams: readonly S[]): S | undefined {
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

const read = new Map<string, Promise<FfprobeOutput>>();

/** What a file read once per process is kept under: its path, size and modification time. */
export async function fileVersion(file: string): Promise<{ version: string; size: number }> {
  const info = await stat(file);
  return { version: `${file}\0${info.size}\0${info.mtimeMs}`, size: info.size };
}

/**
 * `file`'s streams, read once per file version in this process: every decode, probe and cut of one
 * video asks for its main stream, and scan for how it is decoded. Each ffprobe process costs about
 * a quarter of a CPU-second to start with a distribution's shared-library ffmpeg, more than
 * reading a short video's streams (docs/analysis/pipeline.md): it is asked once.
 *
 * `decodeFirstPackets` asks the first read to decode the first packets too (`frames`); a listing read
 * before without them is returned as it is.
 */
export async function fileStreams(file: string, signal?: AbortSignal, opts: { decodeFirstPackets?: boolean } = {}): Promise<FfprobeOutput> {
  const { version } = await fileVersion(file);
  let streams = read.get(version);
  if (streams === undefined) {
    streams = readStreams(file, signal, opts);
    read.set(version, streams);
    streams.catch(() => read.delete(version));
  }
  return streams;
}

/** The absolute index of `file`'s main video stream, as `-map 0:<index>` and `-select_streams <index>` take it. */
export async function mainVideoStream(file: string, signal?: AbortSignal): Promise<number> {
  const main = chooseVideoStream((await fileStreams(file, signal)).streams ?? []);
  if (main?.index === undefined) throw new MediaError(`no video stream in "${file}"`, file);
  return main.index;
}

/**
 * Where decoding the video for analysis departs from the plain way, the file's first video stream
 * with its pixels as stored: `videoStream` when the main stream is another one, and
 * `sampleAspectRatio` when its pixels are not square (decoders stretch them to the display shape,
 * SQUARE_PIXELS_FILTER). Undefined for most files, which it does not depart from.
 */
export interface DecodingDeparture {
  videoStream?: number;
  sampleAspectRatio?: string;
}

export function decodingDeparture(streams: readonly FfprobeStream[]): DecodingDeparture | undefined {
  const main = chooseVideoStream(streams);
  if (main === undefined) return undefined;
  const first = streams.find((stream) => stream.codec_type === 'video');
  const [across, down] = (main.sample_aspect_ratio ?? '').split(':').map(Number);
  // 0:1 (unknown) counts as square, as the decoders' filter takes it.
  const stretched = across! > 0 && down! > 0 && across !== down;
  const departure: DecodingDeparture = {
    ...(main !== first && { videoStream: main.index }),
    ...(stretched && { sampleAspectRatio: main.sample_aspect_ratio }),
  };
  return Object.keys(departure).length > 0 ? departure : undefined;
}
