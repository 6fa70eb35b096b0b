/**
 * Checks a written clip against its plan, cheaply: one ffprobe of the clip's packets (no decode)
 * for what it holds, and for a smart cut a decode of the head and the join, where a mismatch
 * between re-encoded and copied parts would show.
 */
import { FFMPEG_BASE_ARGS, formatSeconds, runTool } from './ffmpeg.ts';

/** What a clip's packet table says about it, on the clip's own timeline (edit lists applied). */
export interface ClipFacts {
  frames: number;
  /** pts of the first and the last video frame (the last one's duration is often not stored). */
  videoStart: number;
  videoLast: number;
  /** First audio packet's pts and duration; null without audio. */
  audioStart: number | null;
  audioFrame: number | null;
}

interface PacketRow {
  stream_index?: number;
  pts_time?: string;
  duration_time?: string;
  flags?: string;
}

interface StreamRow {
  index?: number;
  codec_type?: string;
}

export async function readClipFacts(file: string, signal?: AbortSignal): Promise<ClipFacts> {
  const { stdout } = await runTool(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=index,codec_type:packet=stream_index,pts_time,duration_time,flags', '-of', 'json', file],
    file,
    { signal, what: `cannot read the packets of the clip "${file}"` },
  );
  const { streams = [], packets = [] } = JSON.parse(stdout) as { streams?: StreamRow[]; packets?: PacketRow[] };
  const indexOf = (type: string) => streams.find((stream) => stream.codec_type === type)?.index;
  const timesOf = (index: number | undefined) =>
    packets
      .filter((packet) => packet.stream_index === index && !(packet.flags ?? '').includes('D'))
      .map((packet) => ({ pts: Number(packet.pts_time), duration: Number(packet.duration_time) }))
      .filter((packet) => Number.isFinite(packet.pts))
      .sort((a, b) => a.pts - b.pts);
  const video = timesOf(indexOf('video'));
  const audio = timesOf(indexOf('audio'));
  return {
    frames: video.length,
    videoStart: video[0]?.pts ?? NaN,
    videoLast: video.at(-1)?.pts ?? NaN,
    audioStart: audio[0]?.pts ?? null,
    audioFrame: audio[0] && Number.isFinite(audio[0].duration) ? audio[0].duration : null,
  };
}

export interface ClipExpectation {
  frames: number;
  /** From the first frame's pts to the last one's. */
  span: number;
  frameDuration: number;
  /** The source has audio, so the clip must have it too, starting with its video. */
  audio: boolean;
}

/** Why the clip does not hold what was planned; undefined when it does. */
export function clipMismatch(facts: ClipFacts, expected: ClipExpectation): string | undefined {
  if (facts.frames !== expected.frames) return `it has ${facts.frames} frames instead of ${expected.frames}`;
  if (!(Math.abs(facts.videoStart) <= expected.frameDuration / 2)) return `its video starts at ${facts.videoStart.toFixed(3)} s instead of 0`;
  const span = facts.videoLast - facts.videoStart;
  if (!(Math.abs(span - expected.span) <= expected.frameDuration / 2)) {
    return `its frames span ${span.toFixed(3)} s instead of ${expected.span.toFixed(3)} s`;
  }
  if (expected.audio) {
    if (facts.audioStart === null) return 'its audio is missing';
    const offset = Math.abs(facts.audioStart - facts.videoStart);
    if (!(offset <= (facts.audioFrame ?? 0) + 0.001)) return `its audio starts ${offset.toFixed(3)} s away from its video`;
  }
  return undefined;
}

/**
 * Decodes a clip's video up to `until` seconds (past a smart cut's join; Infinity: all of it) and returns what the
 * decoder complained about; undefined when it decoded cleanly.
 */
export async function decodeProblem(file: string, until: number, signal?: AbortSignal): Promise<string | undefined> {
  const limit = Number.isFinite(until) ? ['-t', formatSeconds(until)] : [];
  const args = [...FFMPEG_BASE_ARGS, '-v', 'error', '-xerror', '-i', file, '-map', '0:v:0', ...limit, '-f', 'null', '-'];
  try {
    const { stderr } = await runTool('ffmpeg', args, file, { signal, what: 'decode check' });
    return stderr.trim() ? `the decoder reports: ${stderr.trim().split('\n')[0]}` : undefined;
  } catch (error) {
    if (signal?.aborted) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return `it does not decode cleanly: ${message.split('\n').slice(1, 2).join('').trim() || message.split('\n')[0]}`;
  }
}
