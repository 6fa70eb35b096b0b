/**
 * Issue 8, part 1: odd, broken and hostile inputs placed among good videos, through the real
 * `vbuild all` with the default pipeline. What a user should get for each:
 * - a broken file (empty, cut short before its index, not a video at all, no video stream):
 *   a FAILED line naming the file and the cause, exit code 1, the other videos unaffected;
 * - a valid video with nothing to cut (no face, 0.5 s): no clip and no failure;
 * - an unusual but valid face video (rotated, VFR, moov first or last, HEVC 10-bit, a file cut
 *   short after its index, a strange name): its clip;
 * - no file name is ever run as a command or read as an ffmpeg option.
 */
import { existsSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeFile } from '../../src/artifacts/scan.ts';
import { runTool } from '../../src/media/ffmpeg.ts';
import { thumbnailPath } from '../../src/report/cards.ts';
import type { PlanClip } from '../../src/report/model.ts';
import type { PlanFile } from '../../src/artifacts/report.ts';
import { defaultPipelineRig, type Result, type Rig } from '../helpers/rig.ts';
import { ffmpeg, hasEncoder } from '../media/media-fixtures.ts';
import {
  anamorphic,
  audioOnly,
  coverFirst,
  FACE_SECONDS,
  faceClip,
  frameRateGap,
  halfSecond,
  hevc10Bit,
  noFaces,
  randomBytes,
  retitled,
  rotated,
  sizeChange,
  subtitledPastTheEnd,
  trimmedCopy,
  truncatedHalf,
  twoRenditions,
  variableFrameRate,
  withMoovAtFront,
  wrappingTs,
} from './inputs.ts';
import { scaled } from '../helpers/time-limits.ts';

type Expected = { kind: 'clip' } | { kind: 'no clip' } | { kind: 'failure'; cause: RegExp };

interface InputCase {
  file: string;
  expected: Expected;
  /** Writes the input to `out`, given a face clip with its moov at the end and one with it at the front. */
  make(out: string, face: { moovAtEnd: string; moovAtFront: string }): unknown;
  /** An ffmpeg encoder the input needs; without it the case is skipped and says why. */
  encoder?: string;
}

const CLIP: Expected = { kind: 'clip' };
const NO_CLIP: Expected = { kind: 'no clip' };
const UNREADABLE = /cannot read ".*" as a media file/;

/** Failing inputs start with `bad-` so that a second run can leave them out with one --skip glob. */
const CASES: InputCase[] = [
  { file: 'moov-at-end.mp4', expected: CLIP, make: (out, face) => retitled(face.moovAtEnd, out, 'moov at end') },
  { file: 'moov-at-front.mp4', expected: CLIP, make: (out, face) => retitled(face.moovAtFront, out, 'moov at front') },
  { file: 'rotated-phone.mp4', expected: CLIP, make: (out, face) => rotated(face.moovAtEnd, out) },
  { file: 'variable-frame-rate.mp4', expected: CLIP, make: (out, face) => variableFrameRate(face.moovAtEnd, out) },
  { file: 'hevc-10bit.mp4', expected: CLIP, encoder: 'libx265', make: (out, face) => hevc10Bit(face.moovAtEnd, out) },
  // The index (moov) comes first, so the first half of the frames still decodes: process what decodes.
  { file: 'truncated-half-moov-at-front.mp4', expected: CLIP, make: (out, face) => truncatedHalf(face.moovAtFront, out) },
  { file: 'no-faces.mp4', expected: NO_CLIP, make: (out) => noFaces(out) },
  { file: 'half-second.mp4', expected: NO_CLIP, make: (out, face) => halfSecond(face.moovAtEnd, out) },
  // Issue 18: what real disks hold.
  { file: 'size-change.mkv', expected: CLIP, make: (out, face) => sizeChange(face.moovAtEnd, out) },
  { file: 'trimmed-copy.mp4', expected: CLIP, make: (out, face) => trimmedCopy(face.moovAtEnd, out) },
  { file: 'cover-first.mp4', expected: CLIP, make: (out, face) => coverFirst(face.moovAtEnd, out) },
  { file: 'two-renditions.mkv', expected: CLIP, make: (out, face) => twoRenditions(face.moovAtEnd, out) },
  { file: 'frame-rate-gap.mp4', expected: CLIP, make: (out, face) => frameRateGap(face.moovAtEnd, out) },
  { file: 'wrapping.ts', expected: CLIP, make: (out, face) => wrappingTs(face.moovAtEnd, out) },
  { file: 'anamorphic.mp4', expected: CLIP, make: (out, face) => anamorphic(face.moovAtEnd, out) },
  { file: 'subtitled.mkv', expected: CLIP, make: (out, face) => subtitledPastTheEnd(face.moovAtEnd, out) },
  { file: 'CAMERA.MTS', expected: CLIP, make: (out, face) => ffmpeg(out, ['-i', face.moovAtEnd, '-c', 'copy', '-f', 'mpegts']) },
  // The same content as moov-at-end.mp4 (made first, and first in sorted order): built once, under that name.
  { file: 'z-copy-of-moov-at-end.mp4', expected: NO_CLIP, make: (out) => copyFile(path.join(path.dirname(out), 'moov-at-end.mp4'), out) },
  // A folder link back into the input folder: followed once, not a loop of inputs.
  { file: 'loop', expected: NO_CLIP, make: (out) => symlinkSync('.', out) },
  { file: 'bad-zero-byte.mp4', expected: { kind: 'failure', cause: UNREADABLE }, make: (out) => writeFileSync(out, '') },
  // The index would have come last: without it nothing decodes.
  { file: 'bad-truncated-half.mp4', expected: { kind: 'failure', cause: UNREADABLE }, make: (out, face) => truncatedHalf(face.moovAtEnd, out) },
  { file: 'bad-random-bytes.mp4', expected: { kind: 'failure', cause: UNREADABLE }, make: (out) => randomBytes(out) },
  { file: 'bad-text.mp4', expected: { kind: 'failure', cause: UNREADABLE }, make: (out) => writeFileSync(out, 'not a video, just words\n') },
  { file: 'bad-audio-only.mp4', expected: { kind: 'failure', cause: /no video stream in ".*" \(audio aac\)/ }, make: (out) => audioOnly(out) },
  ...[
    'with spaces in it.mp4',
    `quotes ' and ".mp4`,
    '$(touch pwned).mp4',
    'back`touch pwned`tick.mp4',
    'new\nline.mp4',
    'ünïcødé 日本語 ✓.mp4',
    '-x.mp4',
  ].map((file): InputCase => ({ file, expected: CLIP, make: (out, face) => retitled(face.moovAtEnd, out, file) })),
];

const stem = (file: string) => file.slice(0, -path.extname(file).length);

let rig: Rig;
let mixed: Result;
const encoders = new Map<string, boolean>();

function skipReason(input: InputCase): string | undefined {
  return input.encoder && !encoders.get(input.encoder) ? `ffmpeg has no ${input.encoder} encoder` : undefined;
}

beforeAll(async () => {
  rig = defaultPipelineRig();
  const moovAtEnd = await faceClip(path.join(rig.dir, 'face-moov-at-end.mp4'));
  const face = { moovAtEnd, moovAtFront: await withMoovAtFront(moovAtEnd, path.join(rig.dir, 'face-moov-at-front.mp4')) };
  for (const input of CASES) {
    if (input.encoder && !encoders.has(input.encoder)) encoders.set(input.encoder, await hasEncoder(input.encoder));
    if (skipReason(input)) continue;
    await input.make(path.join(rig.dir, 'videos', input.file), face);
  }
  mixed = await rig.run(['all', '--device', 'cpu']);
  // About 30 inputs through the whole pipeline on two cores, beside the rest of the suite.
}, scaled(1_200_000));

afterAll(() => rig?.cleanup());

/** The clips published for one input (none when its folder does not exist). */
function clipsOf(file: string): string[] {
  const folder = path.join(rig.dir, 'out', stem(file));
  return existsSync(folder) ? readdirSync(folder).filter((name) => name.endsWith('.mp4')) : [];
}

function failureLines(result: Result, file: string): string[] {
  return result.stderr.split('\n').filter((line) => line.includes(`] ${file}: FAILED: `));
}

describe('vbuild all over a folder of odd inputs among good ones', () => {
  for (const input of CASES) {
    const title = `${JSON.stringify(input.file)}: ${input.expected.kind}`;
    it(title, (context) => {
      const reason = skipReason(input);
      if (reason) {
        context.skip(`${title} skipped: ${reason}`);
        return;
      }
      const { expected } = input;
      if (expected.kind === 'failure') {
        const scanLine = failureLines(mixed, input.file).find((line) => line.startsWith('[scan] '));
        expect(scanLine, `a [scan] FAILED line for ${input.file} in:\n${mixed.stderr}`).toBeDefined();
        expect(scanLine).toContain(path.join(rig.dir, 'videos', input.file));
        expect(scanLine).toMatch(expected.cause);
        expect(clipsOf(input.file)).toEqual([]);
        return;
      }
      expect(failureLines(mixed, input.file), mixed.stderr).toEqual([]);
      if (expected.kind === 'clip') expect(clipsOf(input.file).length, `clips of ${input.file}`).toBeGreaterThan(0);
      else expect(clipsOf(input.file)).toEqual([]);
    });
  }

  it('exits 1 because some inputs failed', () => {
    expect(mixed.code, mixed.stderr).toBe(1);
  });

  it('runs nothing from a file name: no "pwned" file in the project or the working directory', () => {
    const entries = [
      ...readdirSync(rig.dir, { recursive: true, encoding: 'utf8' }),
      ...readdirSync(process.cwd(), { encoding: 'utf8' }),
    ];
    expect(entries.filter((entry) => path.basename(entry) === 'pwned')).toEqual([]);
  });

  it('writes plan.json with the good videos although others failed, and lists each failed input with its reason', () => {
    const plan = JSON.parse(rig.read('out/plan.json')) as PlanFile;
    expect(plan.clips.length).toBeGreaterThan(0);
    expect(plan.clips.some((clip) => clip.source.startsWith('bad-'))).toBe(false);
    const failures = CASES.filter((each) => each.expected.kind === 'failure' && !skipReason(each));
    expect(plan.failed.map((input) => input.source).sort()).toEqual(failures.map((input) => input.file).sort());
    for (const input of failures) {
      const entry = plan.failed.find((each) => each.source === input.file)!;
      expect(entry.build).toBe(`scan@${input.file}`);
      expect(entry.reason).toMatch(input.expected.kind === 'failure' ? input.expected.cause : /./);
    }
    const page = rig.read('out/report/index.html');
    expect(page).toContain(`Failed inputs (${failures.length})`);
  });

  it('delivers every clip of the good and recoverable inputs within a frame of its plan', () => {
    const plan = JSON.parse(rig.read('out/plan.json')) as PlanFile;
    const good = new Set(CASES.filter((each) => each.expected.kind === 'clip' && !skipReason(each)).map((each) => each.file));
    const clips = plan.clips.filter((clip) => good.has(clip.source));
    expect(new Set(clips.map((clip) => clip.source))).toEqual(good);
    for (const clip of clips) {
      expect({ source: clip.source, skipped: clip.skipped, offPlan: clip.offPlan }).toEqual({ source: clip.source, skipped: undefined, offPlan: false });
    }
  });

  it('follows the folder link back into the input folder once: no input is found through it', () => {
    expect(mixed.stderr.split('\n').filter((line) => line.includes('] loop/'))).toEqual([]);
  });

  it('shows an anamorphic video at its display shape: 16:9 thumbnails of pictures stored at 4:3', async () => {
    const plan = JSON.parse(rig.read('out/plan.json')) as PlanFile;
    const clip = plan.clips.find((each) => each.source === 'anamorphic.mp4' && each.file);
    const thumb = path.join(rig.dir, 'out', 'report', thumbnailPath(clip!.id));
    const { stdout } = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', thumb], thumb);
    const [width, height] = stdout.trim().split(',').map(Number);
    expect(width! / height!).toBeCloseTo(16 / 9, 1);
  });

  const durationOf = async (file: string) => (JSON.parse((await rig.run(['cat', 'scan', file, 'probe.json'])).stdout) as ProbeFile).durationSec;

  it("gives a file whose subtitle track runs past its video the video's own duration", async () => {
    // The clip's video ends a frame or two past FACE_SECONDS; the subtitle, at 9–10 s.
    expect(await durationOf('subtitled.mkv')).toBeCloseTo(Number(FACE_SECONDS), 0);
  });

  it("gives a file cut short the duration of the video it holds, not its index's", async () => {
    expect(await durationOf('truncated-half-moov-at-front.mp4')).toBeLessThan(0.75 * Number(FACE_SECONDS));
  });

  it('says each broken file once: scan fails, the rules after it are skipped, not failed again', () => {
    for (const input of CASES.filter((each) => each.expected.kind === 'failure' && !skipReason(each))) {
      expect(failureLines(mixed, input.file).map((line) => line.slice(0, line.indexOf(']') + 1))).toEqual(['[scan]']);
    }
  });

  it('exits 0 once the broken inputs are left out, rebuilding nothing, and plans every good clip', async () => {
    // With a filter the plan and report cover the selection, in out/selection/.
    const good = await rig.run(['all', '--device', 'cpu', '--skip', 'bad-*']);
    expect(good.code, good.stderr).toBe(0);
    const ran = good.stderr.split('\n').filter((line) => line.includes(': running ('));
    expect(ran.filter((line) => !line.startsWith('[report] ')), good.stderr).toEqual([]);
    const plan = JSON.parse(rig.read('out/selection/plan.json')) as { clips: PlanClip[] };
    const planned = new Set(plan.clips.map((clip) => clip.source));
    for (const input of CASES.filter((each) => each.expected.kind === 'clip' && !skipReason(each))) {
      expect(planned.has(input.file), `plan.json lists ${JSON.stringify(input.file)}`).toBe(true);
    }
    for (const clip of plan.clips) expect(existsSync(path.join(rig.dir, 'out', clip.file!)), clip.file!).toBe(true);
  });
});
