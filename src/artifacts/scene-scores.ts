/** What the scene_scores rule writes: scores.jsonl, one line of content scores per decoded frame. */
import type { FrameScore } from '../media/scene-scores.ts';

export const SCORES_FILE = 'scores.jsonl';

// Scores keep three decimals of a 0-255 scale: far below any threshold's resolution, and it
// keeps the file small. Times are written as the decoder gives them: they identify frames.
function roundScore(value: number): number {
  return Math.round(value * 1000) / 1000;
}

export function scoreLine(score: FrameScore): string {
  return `${JSON.stringify({
    time: score.time,
    hue: roundScore(score.hue),
    sat: roundScore(score.sat),
    lum: roundScore(score.lum),
    back: score.back.map(roundScore),
  })}\n`;
}

export function parseScores(text: string): FrameScore[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as FrameScore);
}
