/**
 * How each clip is cut, decided from the source's video packet table alone (pure: no process runs
 * here). A clip is the frames shown in `[start, end)` of the request. Three ways to make it:
 *
 * - `copy`: stream-copy from a keyframe. Exact only when the clip's first frame is a keyframe;
 *   otherwise it starts at the first keyframe inside the clip and loses what comes before.
 * - `smart`: re-encode the frames before the first keyframe inside the clip (the head), then
 *   stream-copy from that keyframe (the tail). Exact, and re-encodes at most a GOP.
 * - `reencode`: re-encode every frame of the clip. Exact, and the slowest.
 *
 * A keyframe is a usable start for a copy only when nothing decoded after it is shown before it:
 * an open-GOP keyframe's leading pictures reference the GOP before, which a copy does not have.
 * Where the codec lets a copy leave those leading pictures out (HEVC, `PlanOptions.dropsLeading`),
 * the copy's first keyframe may have them: they are shown before it, so a smart cut re-encodes
 * them into its head.
 */
import { gapThreshold, typicalFrameInterval } from './frame-times.ts';
import type { VideoPacket } from './probe.ts';
import { presentationTimes } from './probe.ts';

export type CutMode = 'copy' | 'smart' | 'reencode';
/** Every cut mode, the default first. */
export const CUT_MODES: readonly CutMode[] = ['smart', 'copy', 'reencode'];

export interface ClipRequest {
  id: string;
  start: number;
  end: number;
}

/** Frame times within this of a requested bound count as on it (bounds are rounded pts). */
export const TIME_EPSILON = 0.0005;
/** How far before the first kept frame `-ss` goes: enough for any timestamp rounding. */
const SEEK_LEAD = 0.001;

/** Source packets in decode order plus everything derived from them that planning needs. */
export class PacketTable {
  readonly times: number[];
  constructor(readonly packets: readonly VideoPacket[]) {
    this.times = presentationTimes(packets);
  }

  /**
   * End of the frame shown at `pts`: the next frame's pts, else its own packet duration. Before a
   * gap in the video (a stretch cut out with `select`, a recorder's pause) the next frame comes
   * seconds later: the frame then lasts a typical frame, or a clip ending on it would span the gap.
   */
  frameEnd(pts: number): number {
    const next = this.times.find((time) => time > pts);
    if (next !== undefined) return next - pts > this.#gap() ? pts + this.#typicalInterval() : next;
    const packet = this.packets.find((p) => p.pts === pts);
    const duration = packet && Number.isFinite(packet.duration) && packet.duration > 0 ? packet.duration : 0;
    return pts + Math.min(duration, this.#gap());
  }

  #interval: number | undefined;

  #typicalInterval(): number {
    return (this.#interval ??= typicalFrameInterval(this.times));
  }

  #gap(): number {
    return gapThreshold(this.#typicalInterval());
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

const beforeEnd = (time: number, clip: ClipRequest) => time < clip.end - TIME_EPSILON;
const inRange = (time: number, clip: ClipRequest) => time >= clip.start - TIME_EPSILON && beforeEnd(time, clip);

/** The frames a clip must hold, whatever the mode. */
export interface ClipFrames {
  /** pts of the first and last frame shown inside the request. */
  first: number;
  last: number;
  /** End of the last frame: the clip's exact span is `[first, end)`. */
  end: number;
  count: number;
  /** The source's mean frame interval over the clip. */
  frameDuration: number;
}

/** The stream copy from a keyframe to the clip's end. */
export interface CopySpan {
  /** pts of the keyframe the copy starts at. */
  keyframe: number;
  /** Input `-ss` for a copy from that keyframe. */
  seek: number;
  /**
   * Where the copy stops, on the source's timeline: just below the decode time of the first packet
   * (in decode order) shown at or after the clip's end. ffmpeg ends a stream copy on decode time,
   * so with B-frames a stop at the requested end would let the next shot's first frames in.
   * Infinity: the end of the source.
   */
  stop: number;
  /** Leading pictures of the keyframe that the copy must leave out (see `PlanOptions.dropsLeading`). */
  dropsLeading: number;
  /** Frames the copy holds, the pts of its last one and that frame's end. */
  count: number;
  last: number;
  end: number;
}

export function clipFrames(clip: ClipRequest, table: PacketTable): ClipFrames | undefined {
  const shown = table.times.filter((time) => inRange(time, clip));
  if (shown.length === 0) return undefined;
  const first = shown[0]!;
  const last = shown.at(-1)!;
  const end = table.frameEnd(last);
  return { first, last, end, count: shown.length, frameDuration: (end - first) / shown.length };
}

/** How many packets after the keyframe at `k` (in decode order, among `packets`) are shown before it. */
const leadingPictures = (packets: readonly VideoPacket[], k: number) => packets.slice(k + 1).filter((packet) => packet.pts < packets[k]!.pts).length;

/**
 * The copy from the first keyframe inside the clip that is a clean start: every packet from it, in
 * decode order, up to the first one shown at or after the end. A clean start has no leading
 * pictures, or (`dropsLeading`) has them and is the only keyframe of the copy that does: the copy
 * leaves out leading pictures wherever they are.
 */
export function copySpan(clip: ClipRequest, table: PacketTable, dropsLeading = false): CopySpan | undefined {
  const { packets } = table;
  for (let k = 0; k < packets.length; k++) {
    const key = packets[k]!;
    if (!key.key || !inRange(key.pts, clip)) continue;
    let stop = k;
    while (stop < packets.length && beforeEnd(packets[stop]!.pts, clip)) stop++;
    const kept = packets.slice(k, stop);
    const leading = leadingPictures(kept, 0);
    const laterLeading = kept.some((packet, j) => j > 0 && packet.key && leadingPictures(kept, j) > 0);
    if (leading > 0 && (!dropsLeading || laterLeading)) continue;
    const firstOut = packets[stop];
    const last = kept.reduce((max, packet) => Math.max(max, packet.pts), -Infinity);
    return {
      keyframe: key.pts,
      seek: table.seekBefore(key.pts),
      stop: firstOut ? justBefore(firstOut.dts, packets[stop - 1]!.dts) : Infinity,
      dropsLeading: leading,
      count: kept.length - leading,
      last,
      end: table.frameEnd(last),
    };
  }
  return undefined;
}

/** Frames of a clip that a smart cut re-encodes: a run of consecutive frames of the source. */
export interface ReencodedRun {
  /** Input `-ss` just before the first of them. */
  seek: number;
  first: number;
  /** End of the last of them: where the next part (or the clip) starts. */
  end: number;
  frames: number;
}

/** What one clip's cutter must do. */
export type ClipPlan =
  | { mode: 'copy'; request: ClipRequest; frames: ClipFrames; copy: CopySpan }
  | {
      mode: 'smart';
      request: ClipRequest;
      frames: ClipFrames;
      copy: CopySpan;
      /** The frames before the copied keyframe. */
      head?: ReencodedRun;
      /**
       * The frames shown before the clip's end but decoded after a frame shown at or after it
       * (B-frames before a P-frame of the next shot): a copy cannot keep them without that frame.
       */
      foot?: ReencodedRun;
    }
  | { mode: 'reencode'; request: ClipRequest; frames: ClipFrames; seek: number; stop: number }
  | { mode: 'skip'; request: ClipRequest; reason: string };

export interface PlanOptions {
  mode: CutMode;
  /**
   * Whether a re-encoded head can be joined to a copy of this source (codec, stream layout);
   * when not, smart mode copies if that loses little, else re-encodes (`lossTolerated`).
   */
  joinable: boolean;
  /**
   * Whether a copy can leave out the leading pictures of the keyframe it starts at, so that an
   * open-GOP keyframe is a clean start: HEVC, whose leading pictures (RASL and RADL) are NAL unit
   * types of their own that no frame after them may reference.
   */
  dropsLeading?: boolean;
  /** Whether the source's decoder holds frames back to reorder them (B-frames). */
  reorders?: boolean;
}

/**
 * Whether the packets' times are not the times of the frames they hold: the decoder reorders
 * frames but no packet is decoded at another time than it is shown. That is MPEG-4 Part 2 with
 * "packed" B-frames (Xvid, DivX: a B-frame rides in the packet of the P-frame after it, and a
 * placeholder packet takes its slot), or a container without decode times. No copy can be planned
 * from such a table: a copy of one came out a frame off.
 */
const timesNotFrames = (table: PacketTable, opts: PlanOptions) => opts.reorders === true && table.packets.every((packet) => packet.pts === packet.dts);

/** The most a copy may drop from a clip's start when a smart join is not possible: max(0.25 s, 5 %). */
export function lossTolerated(duration: number): number {
  return Math.max(0.25, 0.05 * duration);
}

export function reencodePlan(request: ClipRequest, frames: ClipFrames, table: PacketTable): Extract<ClipPlan, { mode: 'reencode' }> {
  return { mode: 'reencode', request, frames, seek: table.seekBefore(frames.first), stop: justBefore(frames.end, frames.last) };
}

/**
 * Why a clip is not cut the way its mode asks, in the words clips.json and the report record. A
 * caller that treats one reason apart (a bench counting the expected ones) compares with these.
 */
export const CUT_FALLBACKS = {
  noKeyframe: 'no keyframe inside the clip to copy from',
  openGop: 'its keyframes are open-GOP ones: frames shown before them are decoded after them, from the GOP before',
  packetTimes: 'its packet times are not frame times (packed B-frames, or no decode times)',
  frameOrder: 'the copied frames are not one run of the clip (unusual frame order)',
} as const;

function noCopyReason(request: ClipRequest, table: PacketTable): string {
  const keyframes = table.packets.filter((packet) => packet.key && inRange(packet.pts, request)).length;
  return keyframes === 0 ? CUT_FALLBACKS.noKeyframe : CUT_FALLBACKS.openGop;
}

/** The plan for one clip, and why it is not the mode asked for (`fallback`), if it is not. */
export function planClip(request: ClipRequest, table: PacketTable, opts: PlanOptions): { plan: ClipPlan; fallback?: string } {
  if (!(request.end > request.start)) return { plan: { mode: 'skip', request, reason: 'its end is not after its start' } };
  const frames = clipFrames(request, table);
  if (!frames) return { plan: { mode: 'skip', request, reason: 'no frame inside the clip' } };
  if (opts.mode === 'reencode') return { plan: reencodePlan(request, frames, table) };
  if (timesNotFrames(table, opts)) {
    return { plan: reencodePlan(request, frames, table), fallback: CUT_FALLBACKS.packetTimes };
  }

  const copy = copySpan(request, table, opts.dropsLeading);
  if (!copy) return { plan: reencodePlan(request, frames, table), fallback: noCopyReason(request, table) };
  if (opts.mode === 'copy') return { plan: { mode: 'copy', request, frames, copy } };

  const run = (times: number[], end: number): ReencodedRun | undefined =>
    times.length ? { seek: table.seekBefore(times[0]!), first: times[0]!, end, frames: times.length } : undefined;
  const head = run(table.times.filter((time) => time >= frames.first && time < copy.keyframe), copy.keyframe);
  const foot = run(table.times.filter((time) => time > copy.last && time <= frames.last), frames.end);
  if ((head?.frames ?? 0) + copy.count + (foot?.frames ?? 0) !== frames.count) {
    return { plan: reencodePlan(request, frames, table), fallback: CUT_FALLBACKS.frameOrder };
  }
  if (!head && !foot) return { plan: { mode: 'copy', request, frames, copy } };
  if (opts.joinable) return { plan: { mode: 'smart', request, frames, copy, ...(head && { head }), ...(foot && { foot }) } };
  const lost = copy.keyframe - frames.first + (frames.end - copy.end);
  if (lost <= lossTolerated(frames.end - frames.first)) {
    return { plan: { mode: 'copy', request, frames, copy }, fallback: `no smart join for this source; a copy loses only ${lost.toFixed(3)} s` };
  }
  return { plan: reencodePlan(request, frames, table), fallback: `no smart join for this source; a copy would lose ${lost.toFixed(3)} s` };
}
