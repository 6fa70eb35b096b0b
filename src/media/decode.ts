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
import type { Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { mainVideoStream } from './video-stream.ts';
import { MediaError, DECODER_THREAD, FFMPEG_BASE_ARGS, FILTER_THREAD, SQUARE_PIXELS_FILTER, LineSplitter, StderrTail, formatSeconds, passthroughTimingArgs, spawnTool, type ToolProcess } from './ffmpeg.ts';

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
   * Skip the decoder's in-loop deblocking filter (H.264, HEVC, VP8, ...): 8-12% less decode CPU
   * on the corpus's 720p H.264, and on a 32-px grid the same cuts on every corpus video
   * (docs/analysis/scenes.md). No rule uses it since scene_scores v3: a decode shared with detect
   * (which needs the filter) is then one decoder instead of two.
   */
  skipDeblocking?: boolean;
  /**
   * Decode only the frames others are predicted from (`-skip_frame noref`: most B-frames are
   * never decoded), for sampling where any frame near the sample time serves: with `fps`, each
   * sample is then the first reference frame of its interval. Less decode CPU on files with
   * B-frames; on others (intra-only, no B-frames) the same frames. Not detect's: it moves samples
   * up to 4 frames on files with long B-frame runs (docs/analysis/detect.md, session 7).
   */
  referenceFramesOnly?: boolean;
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

const SHOWINFO_FRAME = /\bn:\s*\d+\s+pts:\s*(-?\d+|NOPTS)\b.*?\bs:(\d+)x(\d+)/;

export function parseShowinfoFrame(line: string): FrameHeader | undefined {
  const match = SHOWINFO_FRAME.exec(line);
  if (!match) return undefined;
  const [, pts, width, height] = match;
  return { time: pts === 'NOPTS' ? NaN : Number(pts) / 1e6, width: Number(width), height: Number(height) };
}

/**
 * The -vf chain: range, sampling, scaling, pixel format, then the pts reporter (`showinfo`, or
 * an instance named `showinfo@<name>` where one process reports for several outputs).
 */
export function decodeFilters(opts: DecodeOptions, showinfo = 'showinfo'): string {
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
  filters.push(`format=${opts.pixFmt ?? 'rgb24'}`, 'settb=AVTB', `${showinfo}=checksum=0`);
  return filters.join(',');
}

/** The options of one input: its decoder's (and seek); outputs that ask for the same share it. */
function inputArgs(file: string, opts: DecodeOptions): string[] {
  const seek =
    opts.start !== undefined && opts.start > 0
      ? // Jump to the keyframe before `start` on the real timeline; trim drops the frames before it.
        ['-seek_timestamp', '1', '-noaccurate_seek', '-ss', formatSeconds(opts.start)]
      : [];
  const skips = [...(opts.skipDeblocking ? ['-skip_loop_filter', 'all'] : []), ...(opts.referenceFramesOnly ? ['-skip_frame', 'noref'] : [])];
  return [...DECODER_THREAD, ...skips, ...seek, '-i', file];
}

/** The file descriptor output `i` is written to: stdout, then 3, 4, ... */
const outputFd = (i: number) => (i === 0 ? 1 : i + 2);

/** Where the showinfo lines of output `i` of `count` start: ffmpeg's own name for one, ours for several. */
const showinfoPrefix = (i: number, count: number) => (count === 1 ? '[Parsed_showinfo_' : `[showinfo@o${i} `);

/**
 * One output decodes with `-vf`, as it always has; several (a shared decode) with one graph in
 * which outputs asking for the same decoder options share one decoder (a `split` of its frames)
 * and any other has an input of its own: each output gets the frames it gets alone.
 */
async function decodeArgs(file: string, outputs: readonly DecodeOptions[]): Promise<string[]> {
  const stream = await mainVideoStream(file, outputs[0]!.signal);
  const timing = await passthroughTimingArgs();
  const inputs: string[][] = [];
  const inputOf = outputs.map((opts) => {
    const args = inputArgs(file, opts);
    const same = inputs.findIndex((other) => isDeepStrictEqual(other, args));
    return same >= 0 ? same : inputs.push(args) - 1;
  });
  const args = [...FFMPEG_BASE_ARGS, ...FILTER_THREAD, '-loglevel', 'info', '-copyts', ...inputs.flat()];
  if (outputs.length === 1) return [...args, '-map', `0:${stream}`, '-vf', decodeFilters(outputs[0]!), ...timing, '-f', 'rawvideo', 'pipe:1'];
  const readers = inputs.map((_, input) => outputs.flatMap((_, i) => (inputOf[i] === input ? [i] : [])));
  const splits = readers.flatMap((shared, input) => (shared.length > 1 ? [`[${input}:${stream}]split=${shared.length}${shared.map((i) => `[s${i}]`).join('')}`] : []));
  const source = (i: number) => (readers[inputOf[i]!]!.length > 1 ? `[s${i}]` : `[${inputOf[i]}:${stream}]`);
  const graph = [...splits, ...outputs.map((opts, i) => `${source(i)}${decodeFilters(opts, `showinfo@o${i}`)}[o${i}]`)].join(';');
  return [...args, '-filter_complex', graph, ...outputs.flatMap((_, i) => ['-map', `[o${i}]`, ...timing, '-f', 'rawvideo', `pipe:${outputFd(i)}`])];
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

/** The showinfo headers of one output, in order; waits for the next until stderr ends. */
class HeaderQueue {
  readonly #headers: FrameHeader[] = [];
  #ended = false;
  #wake: (() => void) | undefined;

  push(header: FrameHeader): void {
    this.#headers.push(header);
    this.#wake?.();
  }

  end(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** The next header, left in place; undefined once stderr has ended without one. */
  async peek(): Promise<FrameHeader | undefined> {
    while (this.#headers.length === 0 && !this.#ended) await new Promise<void>((resolve) => (this.#wake = resolve));
    return this.#headers[0];
  }

  shift(): void {
    this.#headers.shift();
  }
}

interface Output {
  opts: DecodeOptions;
  /** Pulled one chunk at a time: while the consumer is busy nothing is read, the pipe fills and ffmpeg waits. */
  chunks: AsyncIterator<Buffer>;
  headers: HeaderQueue;
  /** Its consumer has stopped reading (at the end, early, or aborted). */
  done: boolean;
  onAbort: () => void;
}

/**
 * One ffmpeg decoding a file into one or more outputs (see decodeArgs), each read by its own
 * consumer through `frames(i)`. Outputs of one process share its pace: a consumer that stops
 * early has its pipe drained so the others go on; the process is killed once every consumer has
 * stopped (or been aborted) before it ended.
 */
export class DecodeProcess {
  readonly #file: string;
  readonly #child: ToolProcess;
  readonly #outputs: Output[];
  readonly #exited: Promise<string>;
  #spawnError: Error | undefined;
  readonly #tail = new StderrTail();
  readonly #lines = new LineSplitter();

  private constructor(file: string, outputs: readonly DecodeOptions[], child: ToolProcess) {
    this.#file = file;
    this.#child = child;
    this.#exited = new Promise<string>((resolve) => {
      child.on('close', (code, signal) => resolve(signal ?? `exit ${code}`));
      child.on('error', (error) => {
        this.#spawnError = error;
        resolve('not started');
      });
    });
    this.#outputs = outputs.map((opts, i) => ({
      opts,
      chunks: (child.stdio[outputFd(i)] as Readable)[Symbol.asyncIterator]() as AsyncIterator<Buffer>,
      headers: new HeaderQueue(),
      done: false,
      onAbort: () => this.#killWhenUnread(),
    }));
    const prefixes = outputs.map((_, i) => showinfoPrefix(i, outputs.length));
    // stderr is always drained: it carries the frame headers and is never the slow side.
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      for (const line of this.#lines.push(text)) {
        const output = prefixes.findIndex((prefix) => line.startsWith(prefix));
        const header = output >= 0 ? parseShowinfoFrame(line) : undefined;
        if (header) this.#outputs[output]!.headers.push(header);
        else if (!line.startsWith('[Parsed_showinfo_') && !line.startsWith('[showinfo@')) this.#tail.add(line);
      }
    });
    child.stderr.on('end', () => {
      for (const output of this.#outputs) output.headers.end();
    });
    for (const { opts, onAbort } of this.#outputs) {
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      // Aborted while ffmpeg was being started: the listener came too late to hear it.
      if (opts.signal?.aborted) onAbort();
    }
  }

  /** Starts ffmpeg on `file` with one output per entry of `outputs`. */
  static async start(file: string, outputs: readonly DecodeOptions[]): Promise<DecodeProcess> {
    if (outputs.length === 0) throw new RangeError('a decode needs at least one output');
    for (const opts of outputs) opts.signal?.throwIfAborted();
    return new DecodeProcess(file, outputs, await spawnTool('ffmpeg', await decodeArgs(file, outputs), outputs.length - 1));
  }

  /** The frames of output `i`, as decodeFrames gives them with its options; read once. */
  async *frames(i: number): AsyncGenerator<Frame> {
    const output = this.#outputs[i]!;
    const { opts } = output;
    const bytesPerPixel = BYTES_PER_PIXEL[opts.pixFmt ?? 'rgb24'];
    const failure = (message: string) => new MediaError(`${message} while decoding "${this.#file}"`, this.#file, this.#tail.toString());
    const pending = new ByteQueue();
    let index = 0;
    let ended = false;
    // ffmpeg scales every frame to the first one's size before writing it (a stream whose size
    // changes midway, such as two recordings joined): showinfo, inside the filter chain, still
    // reports each frame's own size, but the bytes are always the first frame's.
    let outputSize: { width: number; height: number } | undefined;
    try {
      for (let next = await output.chunks.next(); !next.done; next = await output.chunks.next()) {
        pending.push(next.value);
        while (pending.length > 0) {
          const header = await output.headers.peek();
          if (!header) throw failure('frame data without a frame header');
          const { width, height } = (outputSize ??= { width: header.width, height: header.height });
          const size = width * height * bytesPerPixel;
          if (pending.length < size) break;
          output.headers.shift();
          opts.signal?.throwIfAborted();
          yield { index: index++, time: header.time, width, height, data: pending.take(size) };
        }
      }
      ended = true;
      const outcome = await this.#exited;
      opts.signal?.throwIfAborted();
      if (this.#spawnError) throw new MediaError(`cannot run ffmpeg to decode "${this.#file}"`, this.#file, '', { cause: this.#spawnError });
      if (this.#lines.rest().trim()) this.#tail.add(this.#lines.rest());
      if (outcome !== 'exit 0') throw failure(`ffmpeg failed (${outcome})`);
      if (pending.length > 0) throw failure(`${pending.length} bytes of an incomplete frame`);
    } catch (error) {
      // A killed ffmpeg shows up as a short stream; the abort is the real reason.
      throw opts.signal?.aborted ? opts.signal.reason : error;
    } finally {
      output.done = true;
      opts.signal?.removeEventListener('abort', output.onAbort);
      if (!ended) void drain(output.chunks);
      if (this.#killWhenUnread()) await this.#exited;
    }
  }

  /** Kills ffmpeg when no consumer will read on (each stopped or aborted); says whether it did. */
  #killWhenUnread(): boolean {
    if (!this.#outputs.every((output) => output.done || output.opts.signal?.aborted)) return false;
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    return true;
  }
}

/** Reads a pipe to its end, dropping what comes: ffmpeg must not wait on a consumer that left. */
async function drain(chunks: AsyncIterator<Buffer>): Promise<void> {
  try {
    while (!(await chunks.next()).done);
  } catch {
    // A pipe that breaks ends the same way: nothing is read from it any more.
  }
}

export async function* decodeFrames(file: string, opts: DecodeOptions = {}): AsyncGenerator<Frame> {
  yield* (await DecodeProcess.start(file, [opts])).frames(0);
}
