import path from 'node:path';
import { FFMPEG_BASE_ARGS, formatSeconds, runTool } from '../../src/media/ffmpeg.ts';

/** A synthetic 720p30 H.264 + AAC video with a keyframe every 2 s: room for `clips` keyframe-aligned clips. */
export async function generateGopVideo(dir: string, clips: number): Promise<string> {
  const file = path.join(dir, 'synthetic_720p30_gop2s.mp4');
  const seconds = 2 * clips + 2;
  await runTool('ffmpeg', [
    ...FFMPEG_BASE_ARGS, '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=s=1280x720:r=30:d=${seconds}`,
    '-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${seconds}`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-g', '60', '-keyint_min', '60', '-sc_threshold', '0',
    '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file,
  ], file);
  return file;
}

/** The baseline the cutters are measured against: one stream-copying ffmpeg process per clip. */
export async function ffmpegPerClip(file: string, clips: readonly { id: string; start: number; end: number }[], out: string): Promise<void> {
  for (const clip of clips) {
    const target = path.join(out, `${clip.id}${path.extname(file)}`);
    await runTool('ffmpeg', [
      ...FFMPEG_BASE_ARGS, '-v', 'error', '-y', '-ss', formatSeconds(clip.start), '-i', file,
      '-t', formatSeconds(clip.end - clip.start), '-map', '0:v:0', '-map', '0:a:0?', '-c', 'copy', target,
    ], file);
  }
}
