import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { requireData, TEST_CORPUS } from '../../test/helpers/test-data.ts';
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

/**
 * A 164 s 720p30 H.264 video with faces, shot changes and a faceless stretch, built from corpus
 * clips (looped, re-encoded): the input DESIGN's realtime target names, long enough that
 * per-video start-up costs stop dominating.
 */
export async function generateLong720p30(dir: string, corpus: string): Promise<string> {
  const file = path.join(dir, 'long_720p30.mp4');
  const parts: [string, number][] = [
    ['woman_frontal_static_720p.mp4', 5],
    ['woman_interview_threequarter_720p.mp4', 5],
    ['nature_nofaces_cuts_fades_720p_noaudio.mp4', 2],
  ];
  const inputs = parts.flatMap(([name, loops]) => ['-stream_loop', String(loops), '-i', path.join(corpus, name)]);
  const normalise = parts.map((_, i) => `[${i}:v]fps=30,format=yuv420p,setsar=1[v${i}]`).join(';');
  const concat = `${parts.map((_, i) => `[v${i}]`).join('')}concat=n=${parts.length}:v=1:a=0[v]`;
  await runTool('ffmpeg', [
    ...FFMPEG_BASE_ARGS, '-v', 'error', '-y', ...inputs,
    '-filter_complex', `${normalise};${concat}`, '-map', '[v]',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-g', '250', file,
  ], file);
  return file;
}

/**
 * 33 clips of 2-4 s (about 99 s in all), each re-encoded H.264 + AAC like a phone or short-form
 * download, cut from five corpus files at staggered offsets: a library of short videos, where
 * what each video costs before its first frame decides the speed.
 */
export async function generateShortClips(dir: string, corpus: string): Promise<string[]> {
  const sources: [string, number][] = [
    ['woman_closeup_grimaces_480x480_33s.mp4', 33],
    ['multishot_8shots_1280x720_25fps.mp4', 31],
    ['nature_nofaces_cuts_fades_720p_noaudio.mp4', 24],
    ['man_selfie_vertical_720x1280_noaudio.mp4', 11.7],
    ['woman_frontal_static_720p.mp4', 9.4],
  ];
  const clips: { source: string; start: number; seconds: number }[] = [];
  for (let n = 0; clips.length < 33; n++) {
    const [source, length] = sources[n % sources.length]!;
    const seconds = 2 + (n % 3);
    const start = (n * 2.7) % Math.max(length - seconds, 0.1);
    clips.push({ source, start, seconds });
  }
  const files: string[] = [];
  for (const [i, { source, start, seconds }] of clips.entries()) {
    const file = path.join(dir, `short_${String(i).padStart(2, '0')}_${path.basename(source, '.mp4')}.mp4`);
    await runTool('ffmpeg', [
      ...FFMPEG_BASE_ARGS, '-v', 'error', '-y', '-ss', formatSeconds(start), '-t', String(seconds),
      '-i', path.join(corpus, source), '-map', '0:v:0', '-map', '0:a:0?',
      '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', file,
    ], file);
    files.push(file);
  }
  return files;
}

/**
 * The videos a bench runs over: with `--long-720p30` or `--short-clips`, made from the corpus into
 * `<scratch>/videos`; otherwise the folder named on the command line, or the corpus's.
 */
export async function benchVideos(scratch: string, flags: { 'long-720p30'?: boolean; 'short-clips'?: boolean }, folder: string | undefined): Promise<string> {
  const corpusVideos = () => path.join(requireData(TEST_CORPUS), 'videos');
  if (!flags['long-720p30'] && !flags['short-clips']) return path.resolve(folder ?? corpusVideos());
  const videos = path.join(scratch, 'videos');
  mkdirSync(videos);
  await (flags['long-720p30'] ? generateLong720p30(videos, corpusVideos()) : generateShortClips(videos, corpusVideos()));
  return videos;
}
