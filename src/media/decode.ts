/**
 * Streams decoded video frames as raw buffers from an ffmpeg child process.
 *
 * Frame times: ffmpeg runs with `-copyts` and passthrough frame timing, and a `showinfo` filter at
 * the end of the chain prints each output frame's pts (rescaled to microseconds by `settb`) and
 * size on stderr just before the frame's bytes go to stdout. Pairing the n-th showinfo line with
 * the n-th frame gives the exact pts of every frame, VFR included, on the file's own timeline,
 * in the same decode pass (a second ffprobe pass over the packets would cost a process and cannot
 * see which frames a filter kept).
 */
import { mainVideoStream } from './video-stream.ts';
import { MediaError, FFMPEG_BASE_ARGS, SQUARE_PIXELS_FILTER, LineSplitter, StderrTail, formatSeconds, passthroughTimingArgs, spawnTool } from './ffmpeg.ts';

export interface DecodeOptions {
  width?: number;
  /** keep aspect: give width only and height = -2 semantics */
  height?: number;
  pixFmt?: 'rgb24' | 'gray' | 'bgr24';
  /**
   * Sample at most one frame per 1/fps seconds of the file's timeline: the first frame in each
   * interval [k/fps, (k+1)/fps), with its own pts (no frame is duplicated or retimed).
   */
  fps?: number;
  /**
   * Skip the decoder's in-loop deblocking filter (H.264, HEVC, VP8, ...), for analysis of frames
   * scaled far down (shot detection's 32-px grid, which averages away what deblocking smooths):
   * 8-12% less decode CPU on the corpus's 720p H.264, the same cuts on every corpus video
   * (docs/analysis/scenes.md). The scaler stays `area`: a point-sampling one lost 6 of the 32 cuts.
   */
  skipDeblocking?: boolean;
  /** Seconds on the file's timeline; frames with pts >= start. */
  start?: number;
  /** seconds */
  duration?: number;
  signal?: AbortSignal;
}

export interface Frame {
  /** 0-based count of the frames this decode returned. */
  index: number;
  /** pts seconds on the file's real timeline (not from 0 when the stream starts later) */
  time: number;
  width: number;
  height: number;
  data: Buffer;
}

const BYTES_PER_PIXEL = { rgb24: 3, bgr24: 3, gray: 1 } as const;


interface FrameHeader {
  time: number;
  width: number;
  height: number;
}

const SHOWINFO_PREFIX = '[Parsed_showinfo_';
const SHOWINFO_FRAME = /\bn:\s*\d+\s+pts:\s*(-?\d+|NOPTS)\b.*?\bs:(\d+)x(\d+)/;

export function parseShowinfoFrame(line: string): FrameHeader | undefined {
  const match = SHOWINFO_FRAME.exec(line);
  if (!match) return undefined;
  const [, pts, width, height] = match;
  return { time: pts === 'NOPTS' ? NaN : Number(pts) / 1e6, width: Number(width), height: Number(height) };
}

/** The -vf chain: range, sampling, scaling, pixel format, then the pts reporter. */
export function decodeFilters(opts: DecodeOptions): string {
  const filters: string[] = [];
  if (opts.start !== undefined || opts.duration !== undefined) {
    const start = opts.start ?? 0;
    const end = opts.duration === undefined ? '' : `:end=${formatSeconds(start + opts.duration)}`;
    filters.push(`trim=start=${formatSeconds(start)}${end}`);
  }
  if (opts.fps !== undefined) {
    if (!(opts.fps > 0)) throw new RangeError(`fps must be positive, got ${opts.fps}`);
    // Keep a frame when it enters a new 1/fps bin of the timeline; commas escaped for the graph.
    const bin = (t: string) => `floor(${t}*${opts.fps})`;
    filters.push(`select=isnan(prev_selected_t)+gt(${bin('t')}\\,${bin('prev_selected_t')})`);
  }
  filters.push(SQUARE_PIXELS_FILTER);
  if (opts.width !== undefined || opts.height !== undefined) {
    // area averages all source pixels when shrinking (no aliasing).
    filters.push(`scale=${opts.width ?? -2}:${opts.height ?? -2}:flags=area`);
  }
  filters.push(`format=${opts.pixFmt ?? 'rgb24'}`, 'settb=AVTB', 'showinfo=checksum=0');
  return filters.join(',');
}

async function decodeArgs(file: string, opts: DecodeOptions): Promise<string[]> {
  const seek =
    opts.start !== undefined && opts.start > 0
      ? // Jump to the keyframe before `start` on the real timeline; trim drops the frames before it.
        ['-seek_timestamp', '1', '-noaccurate_seek', '-ss', formatSeconds(opts.start)]
      : [];
  return [
    ...FFMPEG_BASE_ARGS,
    '-loglevel', 'info', // showinfo reports at info level
    '-copyts',
    ...(opts.skipDeblocking ? ['-skip_loop_filter', 'all'] : []),
    ...seek,
    '-i', file,
    '-map', `0:${await mainVideoStream(file, opts.signal)}`,
    '-vf', decodeFilters(opts),
    ...(await passthroughTimingArgs()),
    '-f', 'rawvideo',
    'pipe:1',
  ];
}

/** Gathers stdout chunks and hands out exact-size frames, copying only across chunk borders. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private offset = 0;
  length = 0;

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.length += chunk.length;
  }

  take(size: number): Buffer {
    const first = this.chunks[0]!;
    let out: Buffer;
    if (first.length - this.offset >= size) {
      out = first.subarray(this.offset, this.offset + size);
      this.offset += size;
    } else {
      out = Buffer.allocUnsafe(size);
      let written = 0;
      while (written < size) {
        const chunk = this.chunks[0]!;
        const n = chunk.copy(out, written, this.offset, Math.min(chunk.length, this.offset + size - written));
        written += n;
        this.offset += n;
        if (this.offset === chunk.length) this.dropFirst();
      }
    }
    if (this.chunks[0] && this.offset === this.chunks[0].length) this.dropFirst();
    this.length -= size;
    return out;
  }

  private dropFirst(): void {
    this.chunks.shift();
    this.offset = 0;
  }
}

export async function* decodeFrames(file: string, opts: DecodeOptions = {}): AsyncGenerator<Frame> {
  opts.signal?.throwIfAborted();
  const bytesPerPixel = BYTES_PER_PIXEL[opts.pixFmt ?? 'rgb24'];
  const child = spawnTool('ffmpeg', await decodeArgs(file, opts));
  let spawnError: Error | undefined;
  const exited = new Promise<string>((resolve) => {
    child.on('close', (code, signal) => resolve(signal ?? `exit ${code}`));
    child.on('error', (error) => {
      spawnError = error;
      resolve('not started');
    });
  });
  const onAbort = () => child.kill('SIGKILL');
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  // stderr is always drained: it carries the frame headers and is never the slow side.
  const headers: FrameHeader[] = [];
  const lines = new LineSplitter();
  const tail = new StderrTail();
  let stderrEnded = false;
  let wake: (() => void) | undefined;
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    for (const line of lines.push(text)) {
      const header = line.startsWith(SHOWINFO_PREFIX) ? parseShowinfoFrame(line) : undefined;
      if (header) headers.push(header);
      else if (!line.startsWith(SHOWINFO_PREFIX)) tail.add(line);
    }
    wake?.();
  });
  child.stderr.on('end', () => {
    stderrEnded = true;
    wake?.();
  });
  const nextHeader = async (): Promise<FrameHeader | undefined> => {
    while (headers.length === 0 && !stderrEnded) await new Promise<void>((resolve) => (wake = resolve));
    return headers[0];
  };
  const failure = (message: string) => new MediaError(`${message} while decoding "${file}"`, file, tail.toString());

  const pending = new ByteQueue();
  let index = 0;
  // ffmpeg scales every frame to the first one's size before writing it (a stream whose size
  // changes midway, such as two recordings joined): showinfo, inside the filter chain, still
  // reports each frame's own size, but the bytes are always the first frame's.
  let outputSize: { width: number; height: number } | undefined;
  try {
    // Iterating the stream pulls one chunk at a time: while the consumer is busy nothing is read,
    // the pipe fills and ffmpeg blocks, so memory stays at a few frames.
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      pending.push(chunk);
      while (pending.length > 0) {
        const header = await nextHeader();
        if (!header) throw failure('frame data without a frame header');
        const { width, height } = (outputSize ??= { width: header.width, height: header.height });
        const size = width * height * bytesPerPixel;
        if (pending.length < size) break;
        headers.shift();
        opts.signal?.throwIfAborted();
        yield { index: index++, time: header.time, width, height, data: pending.take(size) };
      }
    }
    const outcome = await exited;
    opts.signal?.throwIfAborted();
    if (spawnError) throw new MediaError(`cannot run ffmpeg to decode "${file}"`, file, '', { cause: spawnError });
    if (lines.rest().trim()) tail.add(lines.rest());
    if (outcome !== 'exit 0') throw failure(`ffmpeg failed (${outcome})`);
    if (pending.length > 0) throw failure(`${pending.length} bytes of an incomplete frame`);
  } catch (error) {
    // A killed ffmpeg shows up as a short stream; the abort is the real reason.
    throw opts.signal?.aborted ? opts.signal.reason : error;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
}
