/** The scan rule, run with the context the engine would hand it. */
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { VideoBuildContext } from '../../src/engine/rule.ts';
import { scan } from '../../rules/scan.ts';
import { fixtureVideo } from '../helpers/test-data.ts';
import { corpus } from './media-fixtures.ts';
import { ruleContext } from '../helpers/rule-context.ts';
import { PROBE_FILE, type ProbeFile } from '../../src/artifacts/scan.ts';

async function context(id: string, file: string): Promise<VideoBuildContext> {
  const ctx = ruleContext(scan, file);
  outDirs.push(path.dirname(ctx.outDir));
  return { ...ctx, item: { id, path: file } };
}

const outDirs: string[] = [];

describe('scan rule', () => {
  afterAll(() => Promise.all(outDirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  it('writes probe.json, with no file name in it (artifacts are keyed by content)', async () => {
    const ctx = await context('clips/hamilton.mp4', corpus('hamilton_whitehouse_cuts_640x360.mp4'));
    await scan.run(ctx);
    expect(await readdir(ctx.outDir)).toEqual([PROBE_FILE]);
    const facts = JSON.parse(await readFile(path.join(ctx.outDir, PROBE_FILE), 'utf8')) as ProbeFile;
    expect(facts).toMatchObject({ frameCount: 275, width: 640, height: 360 });
    expect(facts).not.toHaveProperty('file');
    expect(facts.keyframes[0]).toBeCloseTo(0.852019, 6);
  });

  it('fails the build, naming the file, on something that is not a video', async () => {
    const ctx = await context('notes.txt', fixtureVideo('NOTICE.md'));
    await expect(scan.run(ctx)).rejects.toThrow(/NOTICE\.md/);
  });
});
