/**
 * A bash script of FaceFusion job commands, one job per clip with the clip as the target
 * (docs/facefusion.md). Jobs are made through FaceFusion's own CLI (job-create, job-add-step,
 * job-submit, job-run-all) rather than written as job JSON: job-add-step fills every step
 * argument with the defaults of the installed FaceFusion version, which a hand-written job
 * file would have to guess. The source face is the one thing left for the user to fill in.
 */

/** One shell word: single-quoted, so nothing in it ($, `, ", \, spaces) is interpreted. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface FacefusionClip {
  id: string;
  /** The clip relative to the output folder. */
  file: string;
}

/** Where the script is written, relative to the output folder; the script finds the clips from there. */
export const FACEFUSION_SCRIPT = 'facefusion/jobs.sh';

/** The swapped clip keeps the clip's path under `swapped/`, always as MP4 (FaceFusion's default encoders). */
function swappedPath(file: string): string {
  return file.replace(/\.[^./]+$/, '') + '.mp4';
}

const HEADER = `#!/usr/bin/env bash
# FaceFusion jobs written by vbuild: one job per clip, the clip as the target.
#
#   SOURCE_FACE=/path/to/face.jpg bash jobs.sh [job-run-all options, e.g. --execution-providers cuda]
#
# Run it from FaceFusion's folder (or set FACEFUSION to its facefusion.py). Jobs go to
# JOBS_PATH (default: facefusion/.jobs in the output folder), results to SWAPPED (default:
# facefusion/swapped/ in it), with each clip's path under the output folder. A clip whose result
# exists is skipped, so the script can be run again after an interruption.
set -euo pipefail

# The face to put into every clip: edit this line or set SOURCE_FACE in the environment.
SOURCE_FACE="\${SOURCE_FACE:-}"
PYTHON="\${PYTHON:-python}"
FACEFUSION="\${FACEFUSION:-facefusion.py}"
HERE="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
OUTPUT="$(cd "$HERE/@TO_OUTPUT@" && pwd)"
JOBS_PATH="\${JOBS_PATH:-$OUTPUT/facefusion/.jobs}"
SWAPPED="\${SWAPPED:-$OUTPUT/facefusion/swapped}"

if [ -z "$SOURCE_FACE" ] || [ ! -f "$SOURCE_FACE" ]; then
  echo "jobs.sh: set SOURCE_FACE to an image of the face to swap in (got: '$SOURCE_FACE')" >&2
  exit 2
fi

facefusion() { "$PYTHON" "$FACEFUSION" "$@" --jobs-path "$JOBS_PATH"; }

# job <job id> <clip under the output folder> <result under SWAPPED>
job() {
  local target="$OUTPUT/$2" result="$SWAPPED/$3"
  [ -e "$result" ] && return 0
  mkdir -p "$(dirname "$result")"
  facefusion job-delete "$1" >/dev/null 2>&1 || true
  facefusion job-create "$1"
  facefusion job-add-step "$1" --source-paths "$SOURCE_FACE" --target-path "$target" --output-path "$result" --processors face_swapper
  facefusion job-submit "$1"
}
`;

/**
 * `toOutput`: the output folder as seen from the script's folder (`../` for
 * `<output>/facefusion/jobs.sh`, `../../` for a filtered run's `<output>/selection/facefusion/jobs.sh`).
 * A selection's results go to the same `swapped/` as the whole folder's, so neither redoes the other's.
 */
export function facefusionScript(clips: readonly FacefusionClip[], toOutput: string): string {
  const jobs = clips.map((clip) => `job ${shellQuote(`vbuild-${clip.id}`)} ${shellQuote(clip.file)} ${shellQuote(swappedPath(clip.file))}`);
  return [HEADER.replace('@TO_OUTPUT@', toOutput), ...jobs, '', 'facefusion job-run-all "$@"', ''].join('\n');
}
