import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FFMPEG_BASE_ARGS, runTool } from '../../src/media/ffmpeg.ts';
import { requireData, TEST_CORPUS } from '../../test/helpers/test-data.ts';

const CACHE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../.cache');
const CORPUS = path.join(requireData(TEST_CORPUS), 'videos');

/**
 * Corpus clips and the whole seconds taken from each: real faces, motion and textures, so that
 * x264 works as hard as on user footage; each change of clip is a hard cut.
 */
const REEL_SHOTS: readonly [file: string, seconds: number][] = [
  ['woman_frontal_static_720p.mp4', 9],
  ['coffee_pour_noface_720p.mp4', 9],
  ['woman_interview_threequarter_720p.mp4', 6],
  ['juggler_smallface_720p_noaudio.mp4', 10],
  ['kids_bedroom_smallfaces_540p_noaudio.mp4', 6],
  ['opera_house_walkers_1080p.mp4', 4],
  ['woman_closeup_grimaces_480x480_33s.mp4', 20],
  ['his_girl_friday_bw_3women_640x480.mp4', 6],
  ['man_selfie_vertical_720x1280_noaudio.mp4', 11],
  ['woman_fullbody_dance_720x1080.mp4', 4],
];
const REEL_SECONDS = REEL_SHOTS.reduce((sum, [, seconds]) => sum + seconds, 0);
const FPS = 30;

export async function ffmpeg(args: string[], file: string): Promise<void> {
  await runTool('ffmpeg', [...FFMPEG_BASE_ARGS, '-v', 'error', '-y', ...args], file);
}

/** Builds `name` in bench/.cache unless it is there; written under a temp name so a killed build is redone. */
export async function cached(name: string, build: (file: string) => Promise<void>): Promise<string> {
  const file = path.join(CACHE, name);
  if (existsSync(file)) return file;
  await mkdir(CACHE, { recursive: true });
  const temp = path.join(CACHE, `.${name}.tmp${path.extname(name)}`);
  await build(temp);
  await rename(temp, file);
  return file;
}

/** The corpus shots scaled and padded to 1280x720, 30 fps CFR, as one nearly lossless file. */
function reel(): Promise<string> {
  return cached('reel_720p30.mp4', async (file) => {
    const inputs = REEL_SHOTS.flatMap(([name]) => ['-i', path.join(CORPUS, name)]);
    const shots = REEL_SHOTS.map(
      ([, seconds], i) =>
        `[${i}:v]fps=${FPS},trim=end_frame=${seconds * FPS},setpts=PTS-STARTPTS,` +
        `scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v${i}]`,
    );
    const concat = `${REEL_SHOTS.map((_, i) => `[v${i}]`).join('')}concat=n=${REEL_SHOTS.length}:v=1:a=0[v]`;
    await ffmpeg([...inputs, '-filter_complex', [...shots, concat].join(';'), '-map', '[v]', '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '12', file], file);
  });
}

/** The reel looped to `seconds`, encoded as users' H.264 usually is (High, B-frames), with a tone as audio. */
export async function loopedReel(name: string, seconds: number, x264Params: string): Promise<string> {
  const source = await reel();
  return cached(name, (file) =>
    ffmpeg(
      [
        '-stream_loop', '-1', '-i', source, '-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${seconds}`,
        '-map', '0:v', '-map', '1:a', '-t', String(seconds),
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-x264-params', x264Params, '-pix_fmt', 'yuv420p',
        '-c:a', 'aac', '-b:a', '128k', file,
      ],
      file,
    ),
  );
}

/** Start and end of every shot of the looped reel that begins before `duration` (the last one ends there). */
export function reelShots(duration: number): { start: number; end: number }[] {
  const shots: { start: number; end: number }[] = [];
  for (let loop = 0; loop * REEL_SECONDS < duration; loop++) {
    let start = loop * REEL_SECONDS;
    for (const [, seconds] of REEL_SHOTS) {
      if (start < duration) shots.push({ start, end: Math.min(start + seconds, duration) });
      start += seconds;
    }
  }
  return shots;
}
