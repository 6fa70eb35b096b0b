/**
 * detect through the real `vbuild` executable and the real pipeline.config.ts: a run killed with
 * SIGKILL resumes to a journal byte-identical to an uninterrupted one, and a journal it cannot
 * continue starts over. Four real runs of detect, so one of the long sweeps
 * (`npm run test:reliability`); detect-e2e.test.ts has detect's key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type Rig, done, until } from '../helpers/rig.ts';
import { lacks, TEST_MODELS } from '../helpers/test-data.ts';
import { scaled } from '../helpers/time-limits.ts';
import { corpusProjects, journalFile, journalLines, removePacks, scrfdPack } from './fixtures.ts';

const VIDEO = 'hamilton_whitehouse_cuts_640x360.mp4';
const ITEM = 'hamilton_whitehouse_cuts_640x360';
/** Its frames at 5 samples/s: pts 0.852 to 10.03 s. */
const SAMPLES = 46;

/** A project folder with one corpus video and the repository's pipeline. */
const project = corpusProjects(VIDEO);

/** A project whose `vbuild <args>` was killed with SIGKILL once its journal held `lines` lines. */
async function killedAfter(args: readonly string[], lines: number): Promise<Rig> {
  const rig = project();
  const child = rig.start(args);
  const finished = done(child);
  await until(() => journalLines(rig) >= lines, 60_000);
  child.kill('SIGKILL');
  await finished;
  return rig;
}

describe.skipIf(lacks(TEST_MODELS, 'detect resuming in vbuild with SCRFD-500M'))('detect in vbuild', () => {
  afterAll(removePacks);

  it('resumes a run killed with SIGKILL to a journal byte-identical to an uninterrupted one', async () => {
    const pack = scrfdPack();
    // Dense sampling, small batches: long enough to be killed mid-run, short on two cores.
    const args = ['detect', '--models', pack, '--sample-fps', '5', '--device', 'cpu', '--threads', '1', '--batch', '2'];

    const reference = project();
    const whole = await reference.run(args);
    expect(whole.code, whole.stderr).toBe(0);
    const expected = await reference.run(['cat', 'detect', ITEM, 'detections.jsonl']);
    expect(expected.stdout.split('\n').length - 1).toBe(SAMPLES);

    const killed = await killedAfter(args, 8);
    const kept = journalLines(killed);
    expect(kept).toBeLessThan(SAMPLES);

    const resumed = await killed.run(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`${SAMPLES} frames, \\d+ faces, 0 frame errors \\(resumed after ${kept}\\)`));
    const actual = await killed.run(['cat', 'detect', ITEM, 'detections.jsonl']);
    expect(actual.stdout).toBe(expected.stdout);

    // A journal whose last frame the decoder cannot land on (here: its time moved off every
    // frame's pts) is not continued, and does not keep the video failing: detect starts over.
    const stuck = await killedAfter(args, 4);
    const file = journalFile(stuck)!;
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const last = JSON.parse(lines.at(-1)!) as { t: number };
    lines[lines.length - 1] = JSON.stringify({ ...last, t: last.t + 0.0123 });
    writeFileSync(file, `${lines.join('\n')}\n`);
    const restarted = await stuck.run(args);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stderr).toMatch(/cannot resume detections: .*; starting over/);
    expect(restarted.stderr).toMatch(new RegExp(`${SAMPLES} frames, \\d+ faces, 0 frame errors;`));
    expect((await stuck.run(['cat', 'detect', ITEM, 'detections.jsonl'])).stdout).toBe(expected.stdout);
    // Four real runs of detect: 103 s alone on two cores, past 120 s beside the rest of the suite.
  }, scaled(600_000));

});
