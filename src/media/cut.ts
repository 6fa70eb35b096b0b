/**
 * Cuts clips out of one source, one clip at a time, and checks each one before it is kept.
 *
 * The video packet table around every clip (a small source's whole table, as scan read it; else
 * one ranged ffprobe call) is turned by cut-plan.ts into a plan per clip (copy, smart or
 * re-encode). Each clip is then written by its own short ffmpeg processes, two clips at a time,
 * so memory stays that of two demuxers and time per clip does not grow with the number of clips.
 * Every written clip is checked (clip-check.ts); one that does not hold what was planned is re-cut
 * by re-encoding it whole, and one that still fails is not kept.
 *
 * A smart cut is written in two ffmpeg runs. The first writes its parts, each a file of one video
 * stream: the head (the frames before the first keyframe inside the clip, re-encoded), the middle
 * (stream-copied from that keyframe, as copy mode cuts it) and the foot (the B-frames before the
 * clip's end that a copy cannot end on, re-encoded). The second joins them with ffmpeg's concat
 * demuxer, which puts each H.264 part's own parameter sets in band in front of its first keyframe
 * (HEVC parts bring theirs in band themselves), so every part decodes with its own, and adds the
 * source's audio from the clip's start.
 * (The concat demuxer can also read the source itself from an `inpoint`, but it gave the copied
 * packets wrong timestamps on a VFR MP4; a middle file of its own has none of that.)
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { clipMismatch, readClipFacts, type ClipExpectation } from './clip-check.ts';
import {
  PacketTable,
  TIME_EPSILON,
  planClip,
  reencodePlan,
  type ClipPlan,
  type ClipRequest,
  type CopySpan,
  type CutMode,
  type ReencodedRun,
} from './cut-plan.ts';
import { DECODER_THREAD, FFMPEG_BASE_ARGS, MediaError, ffmpegEncoders, formatSeconds, passthroughTimingArgs, runTool } from './ffmpeg.ts';
import { inOrder } from '../engine/in-order.ts';
import { DEFAULT_X264_PRESET, HEAD_ENCODERS, type ReencodeSettings, type X264Preset } from './head-encoders.ts';
import { WHOLE_TABLE_BYTES, probeCutSource, readVideoPackets, wholeVideoPackets, type CutSource, type StreamCodecs, type TimeRange } from './probe.ts';

export { CUT_MODES, type ClipRequest, type CutMode } from './cut-plan.ts';

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
  /** The source's frame interval at the clip. */
  frameDuration: number;
  /** How the clip was made; absent when skipped. */
  mode?: CutMode;
  /** Seconds of the clip that were re-encoded. */
  reencodedSeconds: number;
  /** Why the clip was made another way than `mode` asked. */
  fallback?: string;
  /** Why no file was written. */
  skipped?: string;
}

export interface CutOptions {
  /** Default `smart`. */
  mode?: CutMode;
  /** x264 CRF (or the codec's equivalent) of re-encoded frames. */
  crf?: number;
  /** x264's preset for re-encoded H.264 frames; default DEFAULT_X264_PRESET. */
  x264Preset?: X264Preset;
  /** Shortest clip that may be kept, in seconds. */
  minDuration?: number;
  /** Span each clip must stay inside (its scene), by clip id. */
  within?: ReadonlyMap<string, TimeRange>;
  /** Sources up to this size are planned from their whole packet table; default WHOLE_TABLE_BYTES. */
  wholeTableBytes?: number;
  signal?: AbortSignal;
}

export const DEFAULT_CRF = 18;

/** Packets read past each clip's end, so that every B-frame before the end is in the table. */
const END_MARGIN = 2;

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

/** The packet table each clip is planned from, or why it could not be read. */
type TableOf = (clip: ClipRequest) => PacketTable | string;

/**
 * One read for all clips: the whole table for a source of at most `wholeTableBytes` (what scan read,
 * kept in this process), else ranges around the clips. Which one depends on the source alone, so a
 * clip's plan never depends on what else the process did. Where that fails (a damaged stretch of
 * the source), one ranged read per clip, so that only the clips whose packets cannot be read fail.
 */
async function readTables(source: string, clips: readonly ClipRequest[], wholeTableBytes: number, signal?: AbortSignal): Promise<TableOf> {
  try {
    const whole = (await stat(source)).size <= wholeTableBytes;
    const table = clips.length ? await readTable(source, clips, whole, signal) : new PacketTable([]);
    return () => table;
  } catch (error) {
    if (!(error instanceof MediaError) || signal?.aborted) throw error;
    const tables = new Map<string, PacketTable | string>();
    for (const clip of clips) {
      tables.set(
        clip.id,
        await readTable(source, [clip], false, signal).catch((cause: unknown) => {
          if (!(cause instanceof MediaError) || signal?.aborted) throw cause;
          return `cannot read the packets around it: ${firstLines(cause.message)}`;
        }),
      );
    }
    return (clip) => tables.get(clip.id) ?? new PacketTable([]);
  }
}

/**
 * The whole table, or the packets of several ranges in one decode-ordered list. Each range starts
 * at the keyframe before it, which may repeat packets of the range before; no two packets of a
 * stream are shown at the same time, so a repeat is a packet whose presentation time was listed
 * already. (Not by decode time: a file may lack it for its first packets, as Matroska does for
 * B-frames at the start.)
 */
async function readTable(source: string, clips: readonly ClipRequest[], whole: boolean, signal?: AbortSignal): Promise<PacketTable> {
  const packets = whole ? await wholeVideoPackets(source, signal) : await readVideoPackets(source, { ranges: readRanges(clips), signal });
  const listed = new Set<number>();
  return new PacketTable(
    packets.filter((packet) => {
      if (listed.has(packet.pts)) return false;
      listed.add(packet.pts);
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
type Container = keyof typeof MUXER;

/**
 * Whether a re-encoded head can be joined to a copy of this source: a head encoder for its codec
 * and progressive video (no field order to match).
 */
async function smartJoinable(source: CutSource): Promise<boolean> {
  const head = HEAD_ENCODERS[source.videoCodec];
  if (!head) return false;
  if (source.video.fieldOrder && source.video.fieldOrder !== 'progressive') return false;
  return (await ffmpegEncoders()).has(head.encoder);
}

/** Everything the writers share for one source. */
interface SourceContext {
  file: string;
  facts: CutSource;
  reencode: ReencodeSettings;
  signal?: AbortSignal;
}

/**
 * HEVC's MP4 sample entry for a clip that copies the source's video. A copy has one set of
 * parameter sets, which `hvc1` keeps in the sample entry only (the tag QuickTime and iOS players
 * require). A smart cut's parts each bring their own VPS/SPS/PPS in band: ISO/IEC 14496-15 allows
 * that only under `hev1`; a player that trusts `hvc1` may skip them and decode the copied frames with the head's.
 */
type HevcSampleEntry = 'hvc1' | 'hev1';

/** Output options every clip gets: its container, the source's video time base and, for copied HEVC, its sample entry. */
function muxArgs(container: Container, ctx: SourceContext, hevcEntry?: HevcSampleEntry): string[] {
  const args: string[] = [];
  if (container === 'mp4') {
    if (hevcEntry && ctx.facts.videoCodec === 'hevc') args.push('-tag:v', hevcEntry);
    if (ctx.facts.video.timescale > 0) args.push('-video_track_timescale', String(ctx.facts.video.timescale));
  }
  return [...args, '-f', MUXER[container]];
}

/** The source's rotation for a clip whose video was encoded here (the legacy tag turns the other way). */
function rotationArgs(ctx: SourceContext): string[] {
  const { rotation } = ctx.facts.video;
  return rotation ? ['-metadata:s:v:0', `rotate=${(360 - rotation) % 360}`] : [];
}

const ffmpeg = (args: string[], ctx: SourceContext, what: string) =>
  runTool('ffmpeg', [...FFMPEG_BASE_ARGS, '-loglevel', 'error', ...args], ctx.file, { signal: ctx.signal, what });

/**
 * Removes HEVC's leading pictures (RASL and RADL NAL units, types 6 to 9) from a copy that starts at
 * an open-GOP keyframe: they are shown before it and need the GOP before; no frame after them
 * refers to them. (`-copypriorss 0` drops only the packets before the first one copied.)
 */
const DROP_LEADING_PICTURES = 'filter_units=remove_types=6|7|8|9';

/** A stream copy from a keyframe to the copy's stop: its input seek and its output bounds. */
function copyArgs(copy: CopySpan, bitstreamFilters: string[] = []): { input: string[]; output: string[] } {
  // After hevc_mp4toannexb: before it, filter_units leaves extradata that hevc_mp4toannexb does not put in band.
  const filters = [...bitstreamFilters, ...(copy.dropsLeading > 0 ? [DROP_LEADING_PICTURES] : [])];
  return {
    input: ['-seek_timestamp', '1', '-ss', formatSeconds(copy.seek)],
    output: [
      '-c', 'copy', ...(filters.length ? ['-bsf:v', filters.join(',')] : []),
      // By default a copy keeps the packets from the keyframe before -ss and hides them behind an
      // edit list, which players that ignore edit lists show; -copypriorss 0 drops them.
      '-copypriorss', '0',
      // Without -copyts the input's timeline starts at its -ss, so -t is relative to it.
      ...(Number.isFinite(copy.stop) ? ['-t', formatSeconds(copy.stop - copy.seek)] : []),
    ],
  };
}

/** Every clip holds its video as its first stream (each way of cutting maps it first), and no other video. */
export const CLIP_VIDEO_STREAM = 0;

/** The source's main video stream (not cover art, not a smaller rendition: video-stream.ts) of input `input`. */
const mapMainVideo = (ctx: SourceContext, input = 0) => ['-map', `${input}:${ctx.facts.video.index}`];

async function writeCopy(plan: Extract<ClipPlan, { mode: 'copy' }>, temp: string, container: Container, ctx: SourceContext): Promise<void> {
  const { input, output } = copyArgs(plan.copy);
  await ffmpeg(
    [...input, '-i', ctx.file, ...mapMainVideo(ctx), '-map', '0:a:0?', ...output, ...muxArgs(container, ctx, 'hvc1'), '-y', temp],
    ctx,
    `cannot copy clip ${plan.request.id} from "${ctx.file}"`,
  );
}

async function writeReencode(plan: Extract<ClipPlan, { mode: 'reencode' }>, temp: string, ctx: SourceContext): Promise<void> {
  await ffmpeg(
    [
      // Frames keep the orientation the source stores them in, and the clip its rotation, as a copy does.
      '-noautorotate', '-seek_timestamp', '1', '-ss', formatSeconds(plan.seek), '-i', ctx.file,
      ...mapMainVideo(ctx), '-map', '0:a:0?', ...rotationArgs(ctx),
      '-c:v', 'libx264', '-preset', ctx.reencode.x264Preset, '-crf', String(ctx.reencode.crf), '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '160k',
      // Keep every source frame with its own time (VFR included): no duplicates, no drops.
      ...(await passthroughTimingArgs()), '-enc_time_base', '-1',
      '-t', formatSeconds(plan.stop - plan.seek),
      ...muxArgs('mp4', ctx), '-y', temp,
    ],
    ctx,
    `cannot re-encode clip ${plan.request.id} from "${ctx.file}"`,
  );
}

/** A path as a quoted ffconcat string: inside single quotes, a quote is written '\''. */
function concatQuoted(file: string): string {
  return `'${path.resolve(file).replaceAll("'", "'\\''")}'`;
}

/**
 * A smart cut's parts are files of one video stream each: MP4, which keeps decode times (a copied
 * part with B-frames needs them), else Matroska for codecs MP4 does not take (VP8, which has no
 * B-frames).
 */
const partFormat = (ctx: SourceContext) => (MP4_CODECS.has(ctx.facts.videoCodec) ? 'mp4' : 'matroska');

/** A part of a smart cut as one ffmpeg input (its seek) and one output (its file and encoding). */
interface PartJob {
  input: string[];
  output: string[];
}

/**
 * How much more of the source each part's input reads than its frames span. ffmpeg reads every
 * input of a process until all its outputs are done: without a bound, a head's input would be
 * decoded on while the middle is copied (measured: 14.7 s instead of 0.4 s for one clip).
 */
const READ_MARGIN = 1;

/** A run of the source's frames re-encoded as a smart cut's head or foot, unrotated like the copy. */
function runJob(run: ReencodedRun, file: string, timing: string[], ctx: SourceContext): PartJob {
  return {
    input: [...DECODER_THREAD, '-noautorotate', '-seek_timestamp', '1', '-ss', formatSeconds(run.seek), '-t', formatSeconds(run.end - run.seek + READ_MARGIN)],
    output: [
      '-frames:v', String(run.frames), ...timing, '-enc_time_base', '-1',
      ...HEAD_ENCODERS[ctx.facts.videoCodec]!.args(ctx.facts.video, ctx.reencode), '-f', partFormat(ctx), '-y', file,
    ],
  };
}

/**
 * What puts a copied part's parameter sets in band, per codec. The join keeps only the first
 * part's out-of-band ones (MP4's hvcC or esds, Matroska's CodecPrivate), so without them the copy
 * is decoded with the head's: H.264's the concat demuxer moves in band itself; HEVC's VPS, SPS and
 * PPS go in front of each keyframe with hevc_mp4toannexb; MPEG-4 Part 2's VOL header (its
 * extradata as it is) with dump_extra.
 */
const PARAMETER_SETS_IN_BAND: Readonly<Record<string, string>> = { hevc: 'hevc_mp4toannexb', mpeg4: 'dump_extra=freq=keyframe' };

/** The copied part: the video from the keyframe to the copy's stop, as copy mode cuts it, with its parameter sets in band. */
function middleJob({ copy }: SmartPlan, file: string, ctx: SourceContext): PartJob {
  const inBand = PARAMETER_SETS_IN_BAND[ctx.facts.videoCodec];
  const { input, output } = copyArgs(copy, inBand ? [inBand] : []);
  const read = Number.isFinite(copy.stop) ? ['-t', formatSeconds(copy.stop - copy.seek + READ_MARGIN)] : [];
  return { input: [...input, ...read], output: [...output, '-f', partFormat(ctx), '-y', file] };
}

/** Writes every part of a smart cut with one ffmpeg process: one input and one output per part. */
async function writeParts(plan: SmartPlan, parts: SmartParts, ctx: SourceContext): Promise<void> {
  const timing = await passthroughTimingArgs();
  const jobs = [
    ...(plan.head && parts.head ? [runJob(plan.head, parts.head, timing, ctx)] : []),
    middleJob(plan, parts.middle, ctx),
    ...(plan.foot && parts.foot ? [runJob(plan.foot, parts.foot, timing, ctx)] : []),
  ];
  const args = [
    ...jobs.flatMap((job) => [...job.input, '-i', ctx.file]),
    ...jobs.flatMap((job, input) => [...mapMainVideo(ctx, input), ...job.output]),
  ];
  await ffmpeg(args, ctx, `cannot write the parts of clip ${plan.request.id} from "${ctx.file}"`);
}

/**
 * The concat demuxer's list: head, copied middle, foot. The concat demuxer starts each part
 * where the `duration` of the one before ends, so each duration is the time from the part's first
 * frame to the next part's first frame in the source.
 */
function concatList(plan: SmartPlan, parts: SmartParts): string {
  const { copy, foot, frames } = plan;
  const lines = ['ffconcat version 1.0'];
  if (parts.head) lines.push(`file ${concatQuoted(parts.head)}`, `duration ${formatSeconds(copy.keyframe - frames.first)}`);
  lines.push(`file ${concatQuoted(parts.middle)}`);
  if (parts.foot && foot) lines.push(`duration ${formatSeconds(foot.first - copy.keyframe)}`, `file ${concatQuoted(parts.foot)}`);
  return `${lines.join('\n')}\n`;
}

type SmartPlan = Extract<ClipPlan, { mode: 'smart' }>;

interface SmartParts {
  head?: string;
  middle: string;
  foot?: string;
}

async function writeSmart(plan: SmartPlan, temp: string, container: Container, ctx: SourceContext): Promise<void> {
  const { frames, head, foot, request } = plan;
  const parts: SmartParts = { middle: `${temp}.middle`, ...(head && { head: `${temp}.head` }), ...(foot && { foot: `${temp}.foot` }) };
  const list = `${temp}.ffconcat`;
  try {
    await writeParts(plan, parts, ctx);
    await writeFile(list, concatList(plan, parts));
    await ffmpeg(
      [
        '-f', 'concat', '-safe', '0', '-i', list,
        '-seek_timestamp', '1', '-ss', formatSeconds(head?.seek ?? plan.copy.seek), '-i', ctx.file,
        '-map', '0:v:0', '-map', '1:a:0?', '-c', 'copy', '-copypriorss', '0', ...rotationArgs(ctx),
        '-t', formatSeconds(frames.end - frames.first),
        ...muxArgs(container, ctx, 'hev1'), '-y', temp,
      ],
      ctx,
      `cannot join the re-encoded and copied parts of clip ${request.id} from "${ctx.file}"`,
    );
  } finally {
    await Promise.all([...Object.values(parts), list].map((file: string) => rm(file, { force: true })));
  }
}

/** What a written clip must hold, and the span of the source it delivers. */
function expectation(plan: Exclude<ClipPlan, { mode: 'skip' }>, audio: boolean): { expected: ClipExpectation; start: number; end: number } {
  const { frames } = plan;
  const [start, end, count] = plan.mode === 'copy' ? [plan.copy.keyframe, plan.copy.end, plan.copy.count] : [frames.first, frames.end, frames.count];
  const last = plan.mode === 'copy' ? plan.copy.last : frames.last;
  return { expected: { frames: count, span: last - start, frameDuration: frames.frameDuration, audio }, start, end };
}

/** Seconds a smart cut re-encodes: its head and its foot. */
function smartReencodedSeconds({ copy, frames, head, foot }: SmartPlan): number {
  return (head ? copy.keyframe - frames.first : 0) + (foot ? frames.end - foot.first : 0);
}

interface Attempt {
  clip?: CutClip;
  problem?: string;
}

/** Why a delivered span may not be kept: too short, outside its scene, or (for an exact mode) off the request. */
function spanProblem(plan: Exclude<ClipPlan, { mode: 'skip' }>, start: number, end: number, opts: CutOptions): string | undefined {
  const { request, frames } = plan;
  const slack = frames.frameDuration + TIME_EPSILON;
  if (opts.minDuration !== undefined && end - start < opts.minDuration - TIME_EPSILON) {
    return `it would last ${(end - start).toFixed(3)} s, less than the shortest clip kept (${opts.minDuration} s)`;
  }
  const scene = opts.within?.get(request.id);
  if (scene && (start < scene.start - TIME_EPSILON || end > scene.end + slack)) {
    return `it would leave its scene (${start.toFixed(3)}–${end.toFixed(3)} s is not inside ${scene.start.toFixed(3)}–${scene.end.toFixed(3)} s)`;
  }
  if (plan.mode !== 'copy' && (Math.abs(start - request.start) > slack || Math.abs(end - request.end) > slack)) {
    return `it would span ${start.toFixed(3)}–${end.toFixed(3)} s instead of ${request.start.toFixed(3)}–${request.end.toFixed(3)} s`;
  }
  return undefined;
}

/**
 * Writes the clip and says what is wrong with it, if anything. An ffmpeg that fails on this clip
 * (a damaged stretch of the source) is a problem of this clip only; anything else (a full disk,
 * an abort) fails the whole cut.
 */
async function writeAndCheck(plan: Exclude<ClipPlan, { mode: 'skip' }>, temp: string, container: Container, expected: ClipExpectation, ctx: SourceContext): Promise<string | undefined> {
  try {
    if (plan.mode === 'copy') await writeCopy(plan, temp, container, ctx);
    else if (plan.mode === 'smart') await writeSmart(plan, temp, container, ctx);
    else await writeReencode(plan, temp, ctx);
    return clipMismatch(await readClipFacts(temp, { decode: plan.mode === 'smart', signal: ctx.signal }), expected);
  } catch (error) {
    if (!(error instanceof MediaError) || ctx.signal?.aborted || OUTPUT_FAILURE.test(error.stderr)) throw error;
    return firstLines(error.message);
  }
}

/**
 * What ffmpeg says when it cannot write where the clip goes: not a problem of the clip but of the
 * disk, so the whole cut fails (and runs again once there is room) instead of reporting clips as not cut.
 */
const OUTPUT_FAILURE = /No space left on device|Disk quota exceeded|Read-only file system|Input\/output error/i;

/** An ffmpeg error's message and the first line ffmpeg wrote, for one line in a report. */
function firstLines(message: string): string {
  const [what, detail] = message.split('\n');
  return detail ? `${what}: ${detail.trim()}` : what!;
}

async function attempt(plan: Exclude<ClipPlan, { mode: 'skip' }>, outDir: string, ctx: SourceContext, opts: CutOptions): Promise<Attempt> {
  const { request, frames } = plan;
  const { expected, start, end } = expectation(plan, ctx.facts.audioCodec !== null);
  const problem = spanProblem(plan, start, end, opts);
  if (problem) return { problem };

  const container: Container = plan.mode === 'reencode' ? 'mp4' : copyContainer(ctx.facts);
  const temp = path.join(outDir, `.${request.id}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const found = await writeAndCheck(plan, temp, container, expected, ctx);
    if (found) return { problem: found };
    const file = path.join(outDir, `${request.id}.${container}`);
    await rename(temp, file);
    const reencodedSeconds = plan.mode === 'reencode' ? end - start : plan.mode === 'smart' ? smartReencodedSeconds(plan) : 0;
    return {
      clip: { id: request.id, file, requestedStart: request.start, requestedEnd: request.end, start, end, frameDuration: frames.frameDuration, mode: plan.mode, reencodedSeconds },
    };
  } finally {
    await rm(temp, { force: true });
  }
}

function skippedClip(request: ClipRequest, reason: string, frameDuration = 0): CutClip {
  const { id, start, end } = request;
  return { id, file: '', requestedStart: start, requestedEnd: end, start, end: start, frameDuration, reencodedSeconds: 0, skipped: reason };
}

function assertSafeId(id: string): void {
  if (!id || id !== path.basename(id) || id.startsWith('.')) throw new Error(`clip id "${id}" is not a plain file name`);
}

/** One clip: its plan, then a whole re-encode if what was written does not hold what was planned. */
async function cutOne(request: ClipRequest, tableOf: TableOf, outDir: string, ctx: SourceContext, opts: CutOptions, joinable: boolean): Promise<CutClip> {
  const table = tableOf(request);
  if (typeof table === 'string') return skippedClip(request, table);
  const { plan, fallback } = planClip(request, table, {
    mode: opts.mode ?? 'smart',
    joinable,
    dropsLeading: ctx.facts.videoCodec === 'hevc',
    reorders: ctx.facts.video.reorders,
  });
  if (plan.mode === 'skip') return skippedClip(request, plan.reason);
  const first = await attempt(plan, outDir, ctx, opts);
  if (first.clip) return { ...first.clip, ...(fallback && { fallback }) };
  if (plan.mode === 'reencode') return skippedClip(request, first.problem!, plan.frames.frameDuration);
  const again = await attempt(reencodePlan(request, plan.frames, table), outDir, ctx, opts);
  if (again.clip) return { ...again.clip, fallback: `the ${plan.mode} cut failed its check (${first.problem}); re-encoded whole` };
  const reasons = again.problem === first.problem ? again.problem! : `${again.problem} (and as a ${plan.mode} cut: ${first.problem})`;
  return skippedClip(request, reasons, plan.frames.frameDuration);
}

/**
 * Cuts `clips` from `source` into `outDir` as `<id>.mp4` (`.webm`/`.mkv` when a copy's codecs do
 * not fit MP4). Returns one entry per request, in order, with the delivered start and end; a clip
 * that cannot be cut, or fails its check twice, is returned with `skipped` set and no file.
 */
export async function cutClips(source: string, clips: ClipRequest[], outDir: string, opts: CutOptions = {}): Promise<CutClip[]> {
  clips.forEach((clip) => assertSafeId(clip.id));
  if (new Set(clips.map((clip) => clip.id)).size !== clips.length) throw new Error('clip ids must be unique');
  const readable = clips.filter((clip) => clip.end > clip.start);
  const [facts, tableOf] = await Promise.all([probeCutSource(source), readTables(source, readable, opts.wholeTableBytes ?? WHOLE_TABLE_BYTES, opts.signal)]);
  const reencode = { crf: opts.crf ?? DEFAULT_CRF, x264Preset: opts.x264Preset ?? DEFAULT_X264_PRESET };
  const ctx: SourceContext = { file: source, facts, reencode, signal: opts.signal };
  const joinable = await smartJoinable(facts);
  return inOrder(clips, CLIPS_AT_ONCE, (clip) => cutOne(clip, tableOf, outDir, ctx, opts, joinable));
}

/**
 * Clips of one video cut at once. A clip's ffmpeg and ffprobe runs follow one another and most
 * are single-threaded (the copy, the join, the check's decode), so a video cut alone (a long file,
 * the one video a threshold change moved) left a core idle; x264's own threads filled it only
 * while a head was encoded. Two at a time fill it; each clip's bytes are its own either way.
 */
const CLIPS_AT_ONCE = 2;

