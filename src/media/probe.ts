/**
 * ffprobe wrapper: stream metadata plus the video packet table (keyframes, frame timing).
 * Packets are listed without decoding, which is far cheaper than `-show_frames`.
 */
import { DECODER_THREAD, FFMPEG_BASE_ARGS, MediaError, formatSeconds, runTool } from './ffmpeg.ts';
import { chooseVideoStream, type FfprobeOutput, type FfprobeStream, fileStreams, fileVersion, mainVideoStream } from './video-stream.ts';

export interface Probe {
  file: string;
  /** Index among all the file's streams of the video analysed and cut (see video-stream.ts). */
  videoStream: number;
  /** How many video streams the file has (cover art and other renditions included). */
  videoStreams: number;
  durationSec: number;
  /** video stream start pts */
  startSec: number;
  fpsAvg: number;
  fpsReal: number;
  /** display size after rotation */
  width: number;
  height: number;
  codedWidth: number;
  codedHeight: number;
  /** Clockwise degrees a player turns the picture: 0, 90, 180 or 270. */
  rotation: number;
  videoCodec: string;
  audioCodec: string | null;
  hasAudio: boolean;
  vfr: boolean;
  /** Number of video packets, which is the number of frames for every common codec. */
  frameCount: number | null;
  /** pts seconds */
  keyframes: number[];
  /** ffprobe's format_name, e.g. `mov,mp4,m4a,3gp,3g2,mj2` or `matroska,webm`. */
  container: string;
}

/** One video packet, in decode order. Times are seconds on the file's timeline. */
export interface VideoPacket {
  pts: number;
  dts: number;
  /** NaN when the container does not say. */
  duration: number;
  key: boolean;
}

/** `[start, end)` in seconds; `end` may be Infinity. */
export interface TimeRange {
  start: number;
  end: number;
}

function parseRate(rate: string | undefined): number {
  const [num, den] = (rate ?? '').split('/').map(Number);
  return num && den ? num / den : 0;
}

function parseSeconds(value: string | undefined): number {
  return value === undefined || value === 'N/A' ? NaN : Number(value);
}

/**
 * Clockwise rotation a player applies. The display matrix angle is counter-clockwise; older
 * ffprobe builds only print the legacy `rotate` tag, which is already clockwise.
 */
export function displayRotation(stream: FfprobeStream): number {
  const matrix = stream.side_data_list?.find((side) => side.side_data_type === 'Display Matrix');
  const clockwise = matrix?.rotation !== undefined ? -matrix.rotation : Number(stream.tags?.rotate ?? 0);
  const quarterTurns = Math.round((Number.isFinite(clockwise) ? clockwise : 0) / 90);
  return (((quarterTurns % 4) + 4) % 4) * 90;
}

/**
 * The video packet table in decode order. `ranges` restricts reading to those spans (ffprobe
 * seeks to the keyframe at or before each start), so a cutter needs not read the whole file.
 */
export async function readVideoPackets(
  file: string,
  opts: { ranges?: TimeRange[]; signal?: AbortSignal } = {},
): Promise<VideoPacket[]> {
  const args = ['-v', 'error', '-select_streams', String(await mainVideoStream(file, opts.signal))];
  if (opts.ranges?.length) {
    // A range from 0 reads from the file's start: ffprobe seeking to exactly 0 skips the packets
    // an MP4's edit list hides (a stream copy cut from mid-GOP) and the frames that need them.
    const intervals = opts.ranges.map(
      ({ start, end }) => `${start > 0 ? formatSeconds(start) : ''}%${Number.isFinite(end) ? formatSeconds(end) : ''}`,
    );
    args.push('-read_intervals', intervals.join(','));
  }
  args.push('-show_entries', 'packet=pts_time,dts_time,duration_time,flags', '-of', 'compact=p=0', file);
  const { stdout } = await runTool('ffprobe', args, file, {
    signal: opts.signal,
    what: `cannot list the video packets of "${file}"`,
  });
  const packets: VideoPacket[] = [];
  for (const line of stdout.split('\n')) {
    if (!line) continue;
    const fields = Object.fromEntries(line.split('|').map((pair) => pair.split('=', 2) as [string, string]));
    const flags = fields.flags ?? '';
    if (flags.includes('D')) continue; // discarded by the demuxer (before an edit list's start): never shown
    const dts = parseSeconds(fields.dts_time);
    const pts = parseSeconds(fields.pts_time);
    const time = Number.isNaN(pts) ? dts : pts;
    if (Number.isNaN(time)) continue;
    packets.push({
      pts: time,
      dts: Number.isNaN(dts) ? time : dts,
      duration: parseSeconds(fields.duration_time),
      key: flags.includes('K'),
    });
  }
  return packets;
}

/**
 * Files up to this size have their cuts planned from the whole packet table rather than ranges
 * around the clips: it is read whole by scan anyway, and kept for the cut of the same run.
 */
export const WHOLE_TABLE_BYTES = 32 * 2 ** 20;

/**
 * Packets of the whole tables kept, all tables together (the oldest dropped first, the newest
 * always kept): about 20 MB of memory. A 32 MB file holds anything from a few thousand packets to,
 * at a very low bitrate, a hundred thousand.
 */
const KEPT_PACKETS = 200_000;
const wholeTables = new Map<string, { table: Promise<readonly VideoPacket[]>; packets: number }>();

function dropOldTables(): void {
  let kept = [...wholeTables.values()].reduce((sum, entry) => sum + entry.packets, 0);
  for (const [version, entry] of wholeTables) {
    if (kept <= KEPT_PACKETS || wholeTables.size === 1) break;
    wholeTables.delete(version);
    kept -= entry.packets;
  }
}

/**
 * The whole video packet table of `file`. A file of at most WHOLE_TABLE_BYTES has its table kept per
 * file version in this process, so that its cut, after scan in the same run, starts no ffprobe for
 * it (a start costs ~45 ms of CPU with a distribution's ffmpeg, a 3-second video's whole run about
 * a second: docs/analysis/pipeline.md, session 12). The table is shared: never change it.
 */
export async function wholeVideoPackets(file: string, signal?: AbortSignal): Promise<readonly VideoPacket[]> {
  const { version, size } = await fileVersion(file);
  const kept = wholeTables.get(version);
  if (kept) return kept.table;
  const table = readVideoPackets(file, { signal });
  if (size > WHOLE_TABLE_BYTES) return table;
  const entry = { table, packets: 0 };
  wholeTables.set(version, entry);
  table.then(
    (packets) => {
      entry.packets = packets.length;
      dropOldTables();
    },
    () => wholeTables.delete(version),
  );
  return table;
}

/** Presentation times of the packets, ascending and unique. */
export function presentationTimes(packets: readonly VideoPacket[]): number[] {
  const times = packets.map((packet) => packet.pts).sort((a, b) => a - b);
  return times.filter((time, i) => i === 0 || time !== times[i - 1]);
}

/**
 * Whether frame intervals vary. Tolerates the rounding of millisecond timebases (Matroska/WebM
 * store 41/42 ms for 24 fps) but not a dropped, doubled or jittering frame.
 */
export function isVariableFrameRate(times: readonly number[]): boolean {
  const intervals = times.slice(1).map((time, i) => time - times[i]!);
  if (intervals.length < 2) return false;
  const sorted = [...intervals].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const tolerance = Math.max(0.0015, median * 0.05);
  return intervals.some((interval) => Math.abs(interval - median) > tolerance);
}

/** The main video stream and the first audio stream; a file without video is an error that names the file. */
function mainStreams(meta: FfprobeOutput, file: string): { video: FfprobeStream; audio: FfprobeStream | undefined } {
  const streams = meta.streams ?? [];
  const video = chooseVideoStream(streams);
  if (!video) {
    const found = streams.map((stream) => `${stream.codec_type ?? '?'} ${stream.codec_name ?? '?'}`).join(', ');
    throw new MediaError(`no video stream in "${file}" (${found || 'no streams'})`, file);
  }
  return { video, audio: streams.find((stream) => stream.codec_type === 'audio') };
}

export interface StreamCodecs {
  videoCodec: string;
  audioCodec: string | null;
}

/**
 * What a re-encoded part of a clip must match so that it joins the copied part: the first video
 * stream's coding facts, as ffprobe names them ('' where it does not say).
 */
export interface VideoCoding {
  /** Index of the video stream among all streams of the file. */
  index: number;
  /** The container's id of the stream (an MP4 track id), 0 where it has none (Matroska). */
  id: number;
  profile: string;
  /** ffprobe's level: 31 for H.264 level 3.1; -99 or 0 when unknown. */
  level: number;
  pixFmt: string;
  colorRange: string;
  colorSpace: string;
  colorTransfer: string;
  colorPrimaries: string;
  /** `progressive`, `tt`, `bb`, `tb`, `bt` or ''. */
  fieldOrder: string;
  /** Whether the decoder holds frames back to reorder them (B-frames): ffprobe's has_b_frames. */
  reorders: boolean;
  /** Ticks per second of the stream's time base (12800 for 1/12800). */
  timescale: number;
  rotation: number;
}

export interface CutSource extends StreamCodecs {
  video: VideoCoding;
}

const known = (value: string | undefined) => (value && value !== 'unknown' ? value : '');

/** The codecs of the first video and audio streams and the video's coding facts, without reading any packets. */
export async function probeCutSource(file: string): Promise<CutSource> {
  const { video, audio } = mainStreams(await fileStreams(file), file);
  const [, timescale] = (video.time_base ?? '').split('/').map(Number);
  return {
    videoCodec: video.codec_name ?? '',
    audioCodec: audio?.codec_name ?? null,
    video: {
      index: video.index ?? 0,
      id: Number.parseInt(video.id ?? '', 16) || 0,
      profile: known(video.profile),
      level: video.level ?? 0,
      pixFmt: known(video.pix_fmt),
      colorRange: known(video.color_range),
      colorSpace: known(video.color_space),
      colorTransfer: known(video.color_transfer),
      colorPrimaries: known(video.color_primaries),
      fieldOrder: known(video.field_order),
      reorders: (video.has_b_frames ?? 0) > 0,
      timescale: timescale && Number.isFinite(timescale) ? timescale : 0,
      rotation: displayRotation(video),
    },
  };
}

/**
 * Decodes up to the first video frame shown: a file whose video cannot be decoded fails here, not
 * mid-pipeline. "Shown": an MP4 cut with a stream copy starts with packets its edit list hides,
 * up to a whole GOP of them, which decode to nothing.
 */
async function assertVideoDecodes(file: string, signal?: AbortSignal): Promise<void> {
  const { stdout } = await runTool(
    'ffmpeg',
    [...FFMPEG_BASE_ARGS, '-v', 'error', ...DECODER_THREAD, '-i', file, '-map', `0:${await mainVideoStream(file, signal)}`, '-frames:v', '1', '-f', 'framecrc', '-'],
    file,
    { signal, what: `cannot decode the video of "${file}"` },
  );
  if (!stdout.split('\n').some((line) => line !== '' && !line.startsWith('#'))) {
    throw new MediaError(`cannot decode the video of "${file}": no frame came out`, file);
  }
}

export async function probe(file: string, opts: { signal?: AbortSignal } = {}): Promise<Probe> {
  // The streams listing decodes the first packets too: a frame of the main video among them spares
  // the decode check's ffmpeg, a start per video. The packet table and any check run at once after
  // it; their failures are reported in the order that explains the most.
  const meta = await fileStreams(file, opts.signal, { decodeFirstPackets: true });
  const { video, audio } = mainStreams(meta, file);
  const decoded = (meta.frames ?? []).some((frame) => frame.stream_index === video.index);
  const [packetsResult, decodeResult] = await Promise.allSettled([
    wholeVideoPackets(file, opts.signal),
    decoded ? Promise.resolve() : assertVideoDecodes(file, opts.signal),
  ]);
  if (packetsResult.status === 'rejected') throw packetsResult.reason;
  if (decodeResult.status === 'rejected') throw decodeResult.reason;
  const packets = packetsResult.value;
  if (!video.codec_name || packets.length === 0) {
    throw new MediaError(`the video stream of "${file}" has no packets or an unknown codec`, file);
  }

  const times = presentationTimes(packets);
  const startSec = times[0]!;
  const lastPacket = packets.reduce((last, packet) => (packet.pts > last.pts ? packet : last));
  const videoDuration = lastPacket.pts + (Number.isNaN(lastPacket.duration) ? 0 : lastPacket.duration) - startSec;
  const rotation = displayRotation(video);
  const codedWidth = video.width ?? 0;
  const codedHeight = video.height ?? 0;
  const sideways = rotation % 180 !== 0;
  const fpsAvg = parseRate(video.avg_frame_rate) || (videoDuration > 0 ? times.length / videoDuration : 0);

  return {
    file,
    videoStream: video.index ?? 0,
    videoStreams: (meta.streams ?? []).filter((stream) => stream.codec_type === 'video').length,
    // Where the video ends on the file's timeline, as the container's duration is read, but the
    // video's own: a subtitle or audio track running on, or a truncated file, makes the container's longer.
    durationSec: startSec + videoDuration,
    startSec,
    fpsAvg,
    fpsReal: parseRate(video.r_frame_rate) || fpsAvg,
    width: sideways ? codedHeight : codedWidth,
    height: sideways ? codedWidth : codedHeight,
    codedWidth,
    codedHeight,
    rotation,
    videoCodec: video.codec_name,
    audioCodec: audio?.codec_name ?? null,
    hasAudio: audio !== undefined,
    vfr: isVariableFrameRate(times),
    frameCount: times.length,
    keyframes: packets
      .filter((packet) => packet.key)
      .map((packet) => packet.pts)
      .sort((a, b) => a - b),
    container: meta.format?.format_name ?? '',
  };
}
