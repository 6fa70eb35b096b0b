/**
 * Checks a written clip against its plan, cheaply: one ffprobe of the clip's packets for what it
 * holds; for a smart cut the same ffprobe also decodes the video, where a mismatch between the
 * re-encoded and the copied parts would show as decoder errors.
 */
import { DECODER_THREAD, runTool } from './ffmpeg.ts';

/** What a clip's packet table says about it, on the clip's own timeline (edit lists applied). */
export interface ClipFacts {
  frames: number;
  /** pts of the first and the last video frame (the last one's duration is often not stored). */
  videoStart: number;
  videoLast: number;
  /** First audio packet's pts and duration; null without audio. */
  audioStart: number | null;
  audioFrame: number | null;
  /** The decoder's first complaint when the clip was decoded; '' when it decoded cleanly or was not decoded. */
  decodeError: string;
}

interface PacketRow {
  type?: 'packet' | 'frame';
  stream_index?: number;
  pts_time?: string;
  duration_time?: string;
  flags?: string;
}

interface StreamRow {
  index?: number;
  codec_type?: string;
}

export async function readClipFacts(file: string, opts: { decode?: boolean; signal?: AbortSignal } = {}): Promise<ClipFacts> {
  // Asking for a field of every frame makes ffprobe decode the clip; it logs what it cannot decode.
  const entries = `stream=index,codec_type:packet=stream_index,pts_time,duration_time,flags${opts.decode ? ':frame=stream_index' : ''}`;
  const { stdout, stderr } = await runTool('ffprobe', ['-v', 'error', ...DECODER_THREAD, '-show_entries', entries, '-of', 'json', file], file, {
    signal: opts.signal,
    what: `cannot read the packets of the clip "${file}"`,
  });
  // With frames asked for too, ffprobe lists packets and frames in one array, each with its type.
  const parsed = JSON.parse(stdout) as { streams?: StreamRow[]; packets?: PacketRow[]; packets_and_frames?: PacketRow[] };
  const { streams = [] } = parsed;
  const packets = parsed.packets ?? (parsed.packets_and_frames ?? []).filter((entry) => entry.type === 'packet');
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
    decodeError: stderr.trim().split('\n')[0] ?? '',
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
  if (facts.decodeError) return `it does not decode cleanly: ${facts.decodeError}`;
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
