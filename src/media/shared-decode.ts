/**
 * One ffmpeg for the rules that decode the same video at once (shot detection's 32-px grid and
 * detect's sampled frames), through the engine's shared sources (SharedSource in
 * src/engine/rule.ts): each build offers its decode options, the last to arrive starts one
 * DecodeProcess with an output per build, and each reads its own. A build alone decodes alone.
 *
 * scene_scores and detect decode with the same decoder options (since scene_scores v3), so the
 * process decodes the video once and splits the frames between their outputs: the decode, not
 * only a process start, is done once (docs/analysis/pipeline.md, session 9). Outputs that asked
 * for other decoder options would each get a decoder of their own. Each output's frames are byte
 * for byte those it gets alone.
 */
import type { SharedSource } from '../engine/rule.ts';
import { DecodeProcess, decodeFrames, type DecodeOptions, type Frame } from './decode.ts';

/** The name the video rules give their shared source (`sharedSource` in a rule). */
export const VIDEO_DECODE = 'video-decode';

interface Wanted {
  file: string;
  opts: DecodeOptions;
}

export interface SharedFrames {
  frames: AsyncGenerator<Frame>;
  /** The other builds this decode serves (empty when it runs alone). */
  sharedWith: string[];
}

/**
 * `member`'s frames of `file`, from a decode shared with the builds it meets through `source`
 * (absent: a decode of its own, as decodeFrames).
 */
export async function decodeShared(source: SharedSource | undefined, member: string, file: string, opts: DecodeOptions): Promise<SharedFrames> {
  if (source === undefined) return { frames: decodeFrames(file, opts), sharedWith: [] };
  const decode = await source.meet<Wanted, Promise<SharedDecode>>({ file, opts }, (parts) => SharedDecode.start(parts));
  return { frames: decode.frames(member), sharedWith: decode.members.filter((other) => other !== member) };
}

class SharedDecode {
  private constructor(
    readonly members: readonly string[],
    private readonly process: DecodeProcess,
  ) {}

  static async start(parts: ReadonlyMap<string, Wanted>): Promise<SharedDecode> {
    const members = [...parts.keys()];
    const wanted = [...parts.values()];
    const file = wanted[0]!.file;
    const other = wanted.find((part) => part.file !== file);
    if (other) throw new Error(`builds sharing a decode asked for two files: ${file} and ${other.file}`);
    return new SharedDecode(members, await DecodeProcess.start(file, wanted.map((part) => part.opts)));
  }

  frames(member: string): AsyncGenerator<Frame> {
    return this.process.frames(this.members.indexOf(member));
  }
}
