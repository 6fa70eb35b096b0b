/**
 * The whole pipeline on the corpus: a fresh `vbuild all` (the baseline), a no-op, a scoring
 * threshold change (`--max-yaw 25`), going back (run cache), and the plan's totals.
 *
 *   npx tsx bench/pipeline.ts [videos-dir]     (default: the test corpus's videos, VBUILD_TEST_CORPUS)
 *   npx tsx bench/pipeline.ts --long-720p30    (one 164 s 720p30 video made from corpus clips)
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';
import { generateLong720p30 } from './lib/clips.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusVideos = () => path.join(requireData(TEST_CORPUS), 'videos');
const dir = mkdtempSync(path.join(os.tmpdir(), 'vbuild-bench-pipeline-'));
let videos: string;
if (process.argv[2] === '--long-720p30') {
  videos = path.join(dir, 'videos');
  mkdirSync(videos);
  await generateLong720p30(videos, corpusVideos());
} else {
  videos = path.resolve(process.argv[2] ?? corpusVideos());
  symlinkSync(videos, path.join(dir, 'videos'));
}
writeFileSync(path.join(dir, 'pipeline.config.ts'), `export { default } from ${JSON.stringify(path.join(REPO, 'pipeline.config.ts'))};\n`);

function vbuild(args: string[]): { seconds: number; summary: string } {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [path.join(REPO, 'bin/vbuild.js'), ...args], { cwd: dir, encoding: 'utf8' });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== 0) throw new Error(`vbuild ${args.join(' ')} failed:\n${result.stderr}`);
  return { seconds, summary: result.stderr.trim().split('\n').at(-1)!.replace(/^vbuild: /, '') };
}

const full = vbuild(['all', '--device', 'cpu']);
const plan = JSON.parse(readFileSync(path.join(dir, 'out/plan.json'), 'utf8')) as { totals: Record<string, number | null> };
const inputSeconds = (plan.totals['inputHours'] ?? 0) * 3600;
const runs: [string, { seconds: number; summary: string }][] = [
  ['fresh `vbuild all` (baseline)', full],
  ['no-op `vbuild all`', vbuild(['all'])],
  ['`vbuild all --max-yaw 25` (threshold change)', vbuild(['all', '--max-yaw', '25'])],
  ['`vbuild all` again (back to 75: run cache)', vbuild(['all'])],
  ['`vbuild all --adaptive-threshold 2.5` (shot threshold)', vbuild(['all', '--adaptive-threshold', '2.5'])],
];

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, node ${process.version}, no GPU`);
console.log(`input: ${videos} (${inputSeconds.toFixed(1)} s of video)\n`);
console.log('| run | wall s | vs fresh run | x realtime | builds |');
console.log('|---|---:|---:|---:|---|');
for (const [what, run] of runs) {
  const realtime = run === full ? `${(inputSeconds / run.seconds).toFixed(1)}x` : '';
  console.log(`| ${what} | ${run.seconds.toFixed(2)} | ${((run.seconds / full.seconds) * 100).toFixed(1)}% | ${realtime} | ${run.summary} |`);
}
console.log('\n| total | value |\n|---|---:|');
for (const [name, value] of Object.entries(plan.totals)) {
  console.log(`| ${name} | ${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : value} |`);
}
rmSync(dir, { recursive: true, force: true });
