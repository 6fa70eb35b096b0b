/** What `vbuild doctor` reports about the media tools. */
import { locate, runTool, type Tool, type ToolLocation } from './ffmpeg.ts';

export interface ToolInfo extends ToolLocation {
  /** First line of `-version`, e.g. `ffmpeg version 5.1.6-0+deb12u1 Copyright ...`. */
  version: string;
}

export interface FfmpegInfo {
  ffmpeg: ToolInfo;
  ffprobe: ToolInfo;
}

async function toolInfo(tool: Tool): Promise<ToolInfo> {
  const location = locate(tool);
  const { stdout } = await runTool(tool, ['-hide_banner', '-version'], location.path);
  return { ...location, version: stdout.split('\n', 1)[0]!.trim() };
}

/** Which ffmpeg and ffprobe binaries are used, why, and their versions. */
export async function ffmpegInfo(): Promise<FfmpegInfo> {
  const [ffmpeg, ffprobe] = await Promise.all([toolInfo('ffmpeg'), toolInfo('ffprobe')]);
  return { ffmpeg, ffprobe };
}
