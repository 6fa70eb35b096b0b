/**
 * The default pipeline: `vbuild all` runs it over ./videos unless `--input DIR` says otherwise.
 * Copy this file next to your videos to change inputs, folders or param defaults.
 */
import { defineConfig } from './src/index.ts';
import { scan } from './rules/scan.ts';
import { sceneScores, scenes } from './rules/scenes.ts';
import { detect } from './rules/detect.ts';
import { track } from './rules/track.ts';
import { score } from './rules/score.ts';
import { cut } from './rules/cut.ts';
import { sidecars } from './rules/sidecars.ts';
import { report, thumbnails } from './rules/report.ts';

export default defineConfig({
  // Matched whatever the case (`.MP4`, `.Mov`); other files in the folder are counted and named by extension.
  input: { dir: 'videos', include: ['**/*.{mp4,m4v,mkv,mov,webm,avi,ts,mts,m2ts,mpg,mpeg,wmv,flv,3gp}'] },
  output: 'out',
  cache: 'cache',
  rules: [scan, sceneScores, scenes, detect, track, score, cut, sidecars, thumbnails, report],
});
