/**
 * The encoder a smart cut re-encodes a clip's head with, per source codec, and the arguments that
 * make the head match the copied tail: same codec, profile and level, pixel format, colour
 * properties and time base (docs/analysis/cutting.md says which joins were tested and how).
 * Sizes and the sample aspect ratio follow from encoding the decoded frames unscaled.
 *
 * The head has no B-frames (except MPEG-4 Part 2's, see there), so its decode times equal its
 * presentation times and the copied tail's first packets (decoded a reorder delay before they are
 * shown) still come after it. Its parameter sets (SPS/PPS, VPS, VOL header) are in band where a
 * part after the copy (a foot) needs them.
 */
import type { VideoCoding } from './probe.ts';

/** x264's presets, fastest first (placebo left out). */
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow', 'slower', 'veryslow'] as const;
export type X264Preset = (typeof X264_PRESETS)[number];
/** What every H.264 frame vbuild encodes used before the preset could be chosen. */
export const DEFAULT_X264_PRESET: X264Preset = 'fast';

/** How re-encoded frames are encoded: the quality asked for, and (for x264) at what speed. */
export interface ReencodeSettings {
  /** CRF, or the codec's nearest equivalent. */
  crf: number;
  x264Preset: X264Preset;
}

export interface HeadEncoder {
  /** ffmpeg encoder name, checked against `ffmpeg -encoders` before it is used. */
  encoder: string;
  args: (video: VideoCoding, settings: ReencodeSettings) => string[];
}

/** ffprobe's H.264 profile names as x264's `-profile:v` values. */
const X264_PROFILES: Record<string, string> = {
  'Constrained Baseline': 'baseline',
  Baseline: 'baseline',
  Main: 'main',
  High: 'high',
  'High 10': 'high10',
  'High 4:2:2': 'high422',
  'High 4:4:4 Predictive': 'high444',
};

/** Colour properties as the source states them; unknown ones are left unstated, as in the source. */
function colourArgs(video: VideoCoding): string[] {
  const args: string[] = [];
  if (video.colorRange) args.push('-color_range', video.colorRange);
  if (video.colorSpace) args.push('-colorspace', video.colorSpace);
  if (video.colorTransfer) args.push('-color_trc', video.colorTransfer);
  if (video.colorPrimaries) args.push('-color_primaries', video.colorPrimaries);
  return args;
}

const pixFmtArgs = (video: VideoCoding) => (video.pixFmt ? ['-pix_fmt', video.pixFmt] : []);

export const HEAD_ENCODERS: Readonly<Record<string, HeadEncoder>> = {
  h264: {
    encoder: 'libx264',
    args: (video, { crf, x264Preset }) => {
      const profile = X264_PROFILES[video.profile];
      const level = video.level > 0 ? (video.level / 10).toFixed(1) : undefined;
      return [
        '-c:v', 'libx264', '-preset', x264Preset, '-crf', String(crf), '-bf', '0',
        ...(profile ? ['-profile:v', profile] : []),
        ...(level ? ['-level:v', level] : []),
        ...pixFmtArgs(video),
        ...colourArgs(video),
      ];
    },
  },
  hevc: {
    encoder: 'libx265',
    args: (video, { crf }) => [
      // superfast: x265's fast took twice its CPU (and 4x x264's fast) for the same PSNR on a head.
      // repeat-headers: a foot follows the copied frames, so its parameter sets must be in band.
      '-c:v', 'libx265', '-preset', 'superfast', '-crf', String(crf), '-x265-params', 'bframes=0:repeat-headers=1:log-level=error',
      // The source's level is written into the head's VPS and SPS afterwards: x265's own
      // level-idc also caps the bitrate at the level's limit, and a source labelled with a low
      // level (x265 labels by picture size and rate only) got heads below 38 dB PSNR.
      ...(video.level > 0 ? ['-bsf:v', `hevc_metadata=level=${video.level}`] : []),
      ...pixFmtArgs(video),
      ...colourArgs(video),
    ],
  },
  mpeg4: {
    encoder: 'mpeg4',
    args: (video) => [
      // ffmpeg's MPEG-4 Part 2 encoder has no constant-quality scale like CRF: qscale 2 is near its finest.
      '-c:v', 'mpeg4', '-q:v', '2',
      // MPEG-4 Part 2 decoders output a frame late when the VOL header allows B-frames, and do not
      // change that delay at a new VOL: a head without them before a copy with them shows one
      // frame twice at the join and loses the clip's last frame. So the head allows B-frames
      // exactly when the source does.
      '-bf', video.reorders ? '2' : '0',
      // The VOL header in band in front of each keyframe, as the copied part gets its own.
      '-bsf:v', 'dump_extra=freq=keyframe',
      ...pixFmtArgs(video),
      ...colourArgs(video),
    ],
  },
  vp8: {
    encoder: 'libvpx',
    args: (video, { crf }) => [
      // libvpx's VP8 needs a bitrate ceiling for its constant-quality mode.
      '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-crf', String(Math.max(4, crf)), '-b:v', '100M',
      '-auto-alt-ref', '0', '-lag-in-frames', '0',
      ...pixFmtArgs(video),
      ...colourArgs(video),
    ],
  },
  vp9: {
    encoder: 'libvpx-vp9',
    args: (video, { crf }) => [
      '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1',
      '-crf', String(crf), '-b:v', '0', '-auto-alt-ref', '0', '-lag-in-frames', '0',
      ...pixFmtArgs(video),
      ...colourArgs(video),
    ],
  },
};
