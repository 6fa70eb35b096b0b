/**
 * What a faster x264 preset for re-encoded frames would buy, on the frames the pipeline actually
 * re-encodes: the data for a decision, not a change (the preset decides every re-encoded clip's
 * bytes, so changing it is a cut version bump: every user's clips cut again once).
 *
 *   npx tsx bench/head-presets.ts                 (the long 720p30 file of bench/pipeline.ts)
 *   npx tsx bench/head-presets.ts --corpus        (the corpus: the default run and `--max-yaw 25`)
 *
 * It runs this tree's `vbuild all` in a fresh project (and, with --corpus, `--max-yaw 25` after
 * it), then takes every clip of the plan with re-encoded frames: a smart cut's head (the
 * `reencodedSeconds` from its start; a foot is a few B-frames) or a whole re-encode, and for the
 * threshold change only the clips it cut anew. Each span is encoded from the source as the cutter
 * does (libx264, `-crf 18`, no B-frames, one decoder thread) once per preset, and compared with
 * the source frames (PSNR and SSIM of the luma and chroma together, ffmpeg's psnr and ssim
 * filters). CPU seconds are ffmpeg's own (user + system), one encode at a time; presets take
 * turns per span so that load hits all alike.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { childCpuSeconds } from './lib/child-cpu.ts';
import { generateLong720p30 } from './lib/clips.ts';
import { CORPUS_VIDEOS, requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';
import { locate } from '../src/media/ffmpeg.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PRESETS = ['fast', 'veryfast', 'superfast', 'ultrafast'] as const;
const CRF = '18';
const { values: flags } = parseArgs({ options: { corpus: { type: 'boolean', default: false } } });

interface PlannedClip {
  id: string;
  source: string;
  start: number;
  mode?: string;
  reencodedSeconds: number;
}

interface Span {
  source: string;
  start: number;
  seconds: number;
}

const scratch = mkdtempSync(path.join(os.tmpdir(), 'vbuild-bench-presets-'));
const project = path.join(scratch, 'project');
mkdirSync(project);
let videos = CORPUS_VIDEOS;
if (!flags.corpus) {
  videos = path.join(scratch, 'videos');
  mkdirSync(videos);
  await generateLong720p30(videos, path.join(requireData(TEST_CORPUS), 'videos'));
}
symlinkSync(videos, path.join(project, 'videos'));

function vbuildRun(args: string[]): { seconds: number; cpu: number; clips: PlannedClip[] } {
  const cpuBefore = childCpuSeconds();
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [path.join(REPO, 'bin/vbuild.js'), 'all', '--device', 'cpu', ...args], { cwd: project, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`vbuild all ${args.join(' ')} failed:\n${result.stderr}`);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const { clips } = JSON.parse(readFileSync(path.join(project, 'out/plan.json'), 'utf8')) as { clips: PlannedClip[] };
  return { seconds, cpu: childCpuSeconds() - cpuBefore, clips };
}

const reencoded = (clips: readonly PlannedClip[]) => clips.filter((clip) => clip.mode && clip.reencodedSeconds > 0);
const spanOf = (clip: PlannedClip): Span => ({ source: path.join(videos, clip.source), start: clip.start, seconds: clip.reencodedSeconds });

const fresh = vbuildRun([]);
const sets: [string, { seconds: number; cpu: number }, Span[]][] = [['fresh run', fresh, reencoded(fresh.clips).map(spanOf)]];
if (flags.corpus) {
  const before = new Set(fresh.clips.map((clip) => clip.id));
  const change = vbuildRun(['--max-yaw', '25']);
  sets.push(['`--max-yaw 25` after it', change, reencoded(change.clips).filter((clip) => !before.has(clip.id)).map(spanOf)]);
}

const ffmpeg = locate('ffmpeg').path;

/** Encodes one span with `preset`; its CPU seconds and bytes, and the part's file. */
function encode(span: Span, preset: string, out: string): { cpu: number; bytes: number } {
  const cpuBefore = childCpuSeconds();
  const args = [
    '-hide_banner', '-nostdin', '-v', 'error', '-threads', '1', '-ss', String(span.start), '-i', span.source,
    '-t', String(span.seconds), '-map', '0:v:0', '-c:v', 'libx264', '-preset', preset, '-crf', CRF, '-bf', '0', '-pix_fmt', 'yuv420p', '-y', out,
  ];
  const result = spawnSync(ffmpeg, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed:\n${result.stderr}`);
  return { cpu: childCpuSeconds() - cpuBefore, bytes: statSync(out).size };
}

/** PSNR (dB) and SSIM of the encoded part against the same source frames. */
function quality(span: Span, part: string): { psnr: number; ssim: number } {
  const graph =
    '[0:v]setpts=PTS-STARTPTS,split[a1][a2];[1:v]setpts=PTS-STARTPTS,format=yuv420p,split[b1][b2];[a1][b1]psnr[p];[a2][b2]ssim[s]';
  const args = [
    '-hide_banner', '-nostdin', '-i', part, '-ss', String(span.start), '-t', String(span.seconds), '-i', span.source,
    '-filter_complex', graph, '-map', '[p]', '-f', 'null', '-', '-map', '[s]', '-f', 'null', '-',
  ];
  const { stderr } = spawnSync(ffmpeg, args, { encoding: 'utf8' });
  const psnr = Number(/PSNR .*average:([\d.]+|inf)/.exec(stderr)?.[1]);
  const ssim = Number(/SSIM .*All:([\d.]+)/.exec(stderr)?.[1]);
  return { psnr, ssim };
}

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, node ${process.version}; ffmpeg ${ffmpeg}`);
console.log(`input: ${flags.corpus ? 'the corpus' : 'the long 720p30 file (164.5 s)'}; libx264 -crf ${CRF} -bf 0, x264's own threads\n`);
for (const [what, run, spans] of sets) {
  const seconds = spans.reduce((sum, span) => sum + span.seconds, 0);
  const totals = new Map(PRESETS.map((preset) => [preset, { cpu: 0, bytes: 0, psnr: 0, ssim: 0 }]));
  spans.forEach((span, i) => {
    // The order rotates per span, so that no preset always runs first.
    for (const preset of [...PRESETS.slice(i % PRESETS.length), ...PRESETS.slice(0, i % PRESETS.length)]) {
      const part = path.join(scratch, `part-${preset}.mp4`);
      const { cpu, bytes } = encode(span, preset, part);
      const { psnr, ssim } = quality(span, part);
      const total = totals.get(preset)!;
      total.cpu += cpu;
      total.bytes += bytes;
      // Weighted by the span's length: a long head counts for more of what a user watches.
      total.psnr += psnr * span.seconds;
      total.ssim += ssim * span.seconds;
    }
  });
  const base = totals.get('fast')!;
  console.log(`${what}: ${run.seconds.toFixed(1)} s wall, ${run.cpu.toFixed(1)} CPU s; ${spans.length} spans re-encoded, ${seconds.toFixed(1)} s of video\n`);
  console.log('| preset | x264 CPU s | vs fast | bytes vs fast | PSNR dB | SSIM | run CPU s with it (projected) |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [preset, total] of totals) {
    const projected = run.cpu - base.cpu + total.cpu;
    console.log(
      `| ${preset} | ${total.cpu.toFixed(1)} | ${(total.cpu / base.cpu).toFixed(2)} | ${(total.bytes / base.bytes).toFixed(2)} | ${(total.psnr / seconds).toFixed(2)} | ${(total.ssim / seconds).toFixed(4)} | ${projected.toFixed(1)} |`,
    );
  }
  console.log('');
}
rmSync(scratch, { recursive: true, force: true });
