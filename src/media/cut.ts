/**
 * Cuts many clips out of one source with one ffmpeg process.
 *
 * Each clip is one `-ss <x> -i source` input feeding one output. The first packet a stream copy
 * keeps is the first keyframe whose pts is at or after the input's `-ss`, so we place `-ss` just
 * before the keyframe we chose (with -copypriorss 0, see below). The end is subtler: ffmpeg stops a
 * stream copy on the *decode* timestamp, so `-t <requested end>` lets the next shot's first
 * frames in when there are B-frames (a P-frame after the cut is decoded before the B-frames
 * shown before it). We set `-t` just below the decode time of the first packet (in decode order)
 * shown at or after the end: every packet before it is shown inside the clip. A packet count
 * (`-frames:v`) would do the same for video, but it closes the whole output at once and loses
 * the audio stored after the last video packet. Both bounds need the video packet table around
 * each clip, which one ranged ffprobe call reads; it also gives the exact start and end of
 * every clip without probing the outputs.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { FFMPEG_BASE_ARGS, formatSeconds, passthroughTimingArgs, runTool } from './ffmpeg.ts';
import { presentationTimes, probeCodecs, readVideoPackets, type StreamCodecs, type TimeRange, type VideoPacket } from './probe.ts';

export interface ClipRequest {
  id: string;
  start: number;
  end: number;
}

export interface CutClip {
  id: string;
  /** The written clip; '' when `skipped`. */
  file: string;
  requestedStart: number;
  requestedEnd: number;
  /** pts of the clip's first frame on the source's timeline. */
  start: number;
  /** End of the clip's last frame (its pts plus its duration) on the source's timeline. */
  end: number;
  /** Why no file was written, e.g. no keyframe inside the requested range in copy mode. */
  skipped?: string;
}

export interface CutOptions {
  /** Re-encode (libx264 + AAC) for frame-exact starts instead of snapping to keyframes. */
  accurate?: boolean;
  /** x264 CRF for `accurate` mode. */
  crf?: number;
  /** Keyframe pts of the source (probe.json); lets clips without one be reported without reading their packets. */
  keyframes?: number[];
  signal?: AbortSignal;
}

export const DEFAULT_CRF = 18;

/** Frame times within this of a requested bound count as on it (bounds are rounded pts). */
const TIME_EPSILON = 0.0005;
/** Packets read past each clip's end, so that every B-frame before the end is in the table. */
const END_MARGIN = 2;
/** How far before the first kept frame `-ss` goes: enough for any timestamp rounding. */
const SEEK_LEAD = 0.001;
/**
 * Clips per ffmpeg process. Every input holds its own demuxer (and an MP4's whole sample index),
 * so a 2-hour source with hundreds of clips is cut in a few processes, not hundreds of inputs.
 */
export const MAX_CLIPS_PER_PROCESS = 64;

/** What one ffmpeg input/output pair must do to produce a clip. */
export interface ClipPlan {
  request: ClipRequest;
  /** Input `-ss`, seconds on the source's timeline. */
  seek: number;
  /** Where the output stops, seconds on the source's timeline; Infinity: the end of the source. */
  stop: number;
  start: number;
  end: number;
}

export type PlanResult = ClipPlan | { request: ClipRequest; skipped: string };

/** Source packets in decode order plus everything derived from them that planning needs. */
export class PacketTable {
  readonly times: number[];
  constructor(readonly packets: readonly VideoPacket[]) {
    this.times = presentationTimes(packets);
  }

  /** End of the frame shown at `pts`: the next frame's pts, else its own packet duration. */
  frameEnd(pts: number): number {
    const next = this.times.find((time) => time > pts);
    if (next !== undefined) return next;
    const packet = this.packets.find((p) => p.pts === pts);
    const duration = packet && Number.isFinite(packet.duration) && packet.duration > 0 ? packet.duration : 0;
    return pts + duration;
  }

  /** `-ss` for a clip whose first frame is `pts`: just before it, never before the frame ahead of it. */
  seekBefore(pts: number): number {
    return justBefore(pts, this.times.filter((time) => time < pts).at(-1));
  }
}

/** A time just below `time` but above `previous`, robust to microsecond rounding of both. */
function justBefore(time: number, previous: number | undefined): number {
  return time - (previous === undefined ? SEEK_LEAD : Math.min(SEEK_LEAD, (time - previous) / 2));
}

function beforeEnd(time: number, clip: ClipRequest): boolean {
  return time < clip.end - TIME_EPSILON;
}

function inRange(time: number, clip: ClipRequest): boolean {
  return time >= clip.start - TIME_EPSILON && beforeEnd(time, clip);
}

/**
 * Stream-copy plan: the first keyframe inside the clip whose leading pictures (open-GOP frames
 * decoded after it but shown before it) are inside the clip too, then every packet in decode
 * order up to the first one shown at or after the end.
 */
export function planCopy(clip: ClipRequest, table: PacketTable): PlanResult {
  const { packets } = table;
  for (let k = 0; k < packets.length; k++) {
    const key = packets[k]!;
    if (!key.key || !inRange(key.pts, clip)) continue;
    let stop = k;
    while (stop < packets.length && beforeEnd(packets[stop]!.pts, clip)) stop++;
    const kept = packets.slice(k, stop);
    const first = kept.reduce((min, packet) => Math.min(min, packet.pts), Infinity);
    if (first < clip.start - TIME_EPSILON) continue;
    const firstOut = packets[stop];
    return {
      request: clip,
      seek: table.seekBefore(key.pts),
      stop: firstOut ? justBefore(firstOut.dts, packets[stop - 1]!.dts) : Infinity,
      start: first,
      end: table.frameEnd(kept.reduce((max, packet) => Math.max(max, packet.pts), -Infinity)),
    };
  }
  return { request: clip, skipped: 'no keyframe inside the clip: a stream copy would start after its end (use accurate mode)' };
}

/** Re-encode plan: exactly the frames shown inside the clip. */
export function planAccurate(clip: ClipRequest, table: PacketTable): PlanResult {
  const shown = table.times.filter((time) => inRange(time, clip));
  if (shown.length === 0) return { request: clip, skipped: 'no frame inside the clip' };
  const first = shown[0]!;
  const end = table.frameEnd(shown.at(-1)!);
  return { request: clip, seek: table.seekBefore(first), stop: justBefore(end, shown.at(-1)), start: first, end };
}

/** Where the packet table is needed: each clip's span plus a margin, overlapping spans merged. */
export function readRanges(clips: readonly ClipRequest[]): TimeRange[] {
  const sorted = clips.map(({ start, end }) => ({ start, end: end + END_MARGIN })).sort((a, b) => a.start - b.start);
  const merged: TimeRange[] = [];
  for (const range of sorted) {
    const last = merged.at(-1);
    if (last && range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

/**
 * Packets of several ranges in one decode-ordered list. Each range starts at the keyframe before
 * it, which may repeat packets of the range before; decode timestamps only increase, so repeats are dropped.
 */
async function readTable(source: string, clips: readonly ClipRequest[], signal?: AbortSignal): Promise<PacketTable> {
  const packets = await readVideoPackets(source, { ranges: readRanges(clips), signal });
  let lastDts = -Infinity;
  return new PacketTable(
    packets.filter((packet) => {
      if (packet.dts <= lastDts) return false;
      lastDts = packet.dts;
      return true;
    }),
  );
}

const MP4_CODECS = new Set(['h264', 'hevc', 'mpeg4', 'av1', 'vp9', 'aac', 'mp3', 'ac3', 'eac3', 'alac']);
const WEBM_CODECS = new Set(['vp8', 'vp9', 'av1', 'vorbis', 'opus']);

/** Container for a stream copy: MP4 when both codecs fit in it, else WebM, else Matroska (takes anything). */
export function copyContainer({ videoCodec, audioCodec }: StreamCodecs): 'mp4' | 'webm' | 'mkv' {
  const codecs = [videoCodec, ...(audioCodec ? [audioCodec] : [])];
  if (codecs.every((codec) => MP4_CODECS.has(codec))) return 'mp4';
  if (codecs.every((codec) => WEBM_CODECS.has(codec))) return 'webm';
  return 'mkv';
}

const MUXER = { mp4: 'mp4', webm: 'webm', mkv: 'matroska' } as const;

async function encodeArgs(opts: CutOptions, codecs: StreamCodecs, container: keyof typeof MUXER): Promise<string[]> {
  if (opts.accurate) {
    return [
      '-c:v', 'libx264', '-preset', 'fast', '-crf', String(opts.crf ?? DEFAULT_CRF), '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '160k',
      // Keep every source frame with its own time (VFR included): no duplicates, no drops.
      ...(await passthroughTimingArgs()),
    ];
  }
  // By default a copy keeps the packets from the keyframe before -ss and hides them behind an
  // edit list, which players that ignore edit lists show; -copypriorss 0 drops them.
  // hvc1 is the HEVC tag QuickTime and iOS players require in MP4.
  return ['-c', 'copy', '-copypriorss', '0', ...(codecs.videoCodec === 'hevc' && container === 'mp4' ? ['-tag:v', 'hvc1'] : [])];
}

function assertSafeId(id: string): void {
  if (!id || id !== path.basename(id) || id.startsWith('.')) throw new Error(`clip id "${id}" is not a plain file name`);
}

async function runBatch(source: string, plans: ClipPlan[], outDir: string, opts: CutOptions, codecs: StreamCodecs): Promise<CutClip[]> {
  const container = opts.accurate ? 'mp4' : copyContainer(codecs);
  const encode = await encodeArgs(opts, codecs, container);
  const args: string[] = [...FFMPEG_BASE_ARGS, '-loglevel', 'error'];
  plans.forEach((plan) => args.push('-seek_timestamp', '1', '-ss', formatSeconds(plan.seek), '-i', source));
  const temps = plans.map((plan) => path.join(outDir, `.${plan.request.id}.${randomBytes(4).toString('hex')}.tmp`));
  plans.forEach((plan, input) => {
    args.push('-map', `${input}:v:0`, '-map', `${input}:a:0?`, ...encode);
    // Without -copyts the input's timeline starts at its -ss, so the output's -t is relative to it.
    if (Number.isFinite(plan.stop)) args.push('-t', formatSeconds(plan.stop - plan.seek));
    args.push('-f', MUXER[container], '-y', temps[input]!);
  });
  try {
    await runTool('ffmpeg', args, source, { signal: opts.signal, what: `cannot cut ${plans.length} clips from "${source}"` });
    const files = plans.map((plan) => path.join(outDir, `${plan.request.id}.${container}`));
    await Promise.all(files.map((file, i) => rename(temps[i]!, file)));
    return plans.map(({ request, start, end }, i) => ({
      id: request.id,
      file: files[i]!,
      requestedStart: request.start,
      requestedEnd: request.end,
      start,
      end,
    }));
  } finally {
    await Promise.all(temps.map((temp) => rm(temp, { force: true })));
  }
}

/**
 * Cuts `clips` from `source` into `outDir` as `<id>.mp4` (`.webm`/`.mkv` when a stream copy's
 * codecs do not fit MP4). Returns one entry per request, in order, with the actual start and end;
 * clips that cannot be cut are returned with `skipped` set and no file.
 */
export async function cutClips(source: string, clips: ClipRequest[], outDir: string, opts: CutOptions = {}): Promise<CutClip[]> {
  clips.forEach((clip) => assertSafeId(clip.id));
  const hasKeyframe = (clip: ClipRequest) => !opts.keyframes || opts.accurate || opts.keyframes.some((time) => inRange(time, clip));
  if (new Set(clips.map((clip) => clip.id)).size !== clips.length) throw new Error('clip ids must be unique');
  const readable = clips.filter((clip) => clip.end > clip.start && hasKeyframe(clip));
  const [codecs, table] = await Promise.all([
    probeCodecs(source),
    readable.length ? readTable(source, readable, opts.signal) : new PacketTable([]),
  ]);
  const plans = clips.map((clip): PlanResult => {
    if (!(clip.end > clip.start)) return { request: clip, skipped: 'its end is not after its start' };
    return opts.accurate ? planAccurate(clip, table) : planCopy(clip, table);
  });

  const cut = new Map<string, CutClip>();
  const toCut = plans.filter((plan): plan is ClipPlan => !('skipped' in plan));
  for (let i = 0; i < toCut.length; i += MAX_CLIPS_PER_PROCESS) {
    const batch = await runBatch(source, toCut.slice(i, i + MAX_CLIPS_PER_PROCESS), outDir, opts, codecs);
    batch.forEach((clip) => cut.set(clip.id, clip));
  }
  return plans.map((plan) => ('skipped' in plan ? skippedClip(plan.request, plan.skipped) : cut.get(plan.request.id)!));
}

function skippedClip(request: ClipRequest, reason: string): CutClip {
  const { id, start, end } = request;
  return { id, file: '', requestedStart: start, requestedEnd: end, start, end: start, skipped: reason };
}
