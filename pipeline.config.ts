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
import { report, thumbnails } from './rules/report.ts';

export default defineConfig({
  input: { dir: 'videos', include: ['**/*.{mp4,m4v,mkv,mov,webm,avi,MP4,M4V,MKV,MOV,WEBM,AVI}'] },
  output: 'out',
  cache: 'cache',
  rules: [scan, sceneScores, scenes, detect, track, score, cut, thumbnails, report],
});
