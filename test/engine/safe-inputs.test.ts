/** Issue 13: a wrong or empty input never removes published work; one video file is an input. */
import path from 'node:path';
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Rig } from '../helpers/rig.ts';
import { ToyRig } from './toy-rig.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

const PUBLISHED = ['out/a/upper.txt', 'out/b/upper.txt', 'out/c/upper.txt', 'out/total.txt'];

async function builtToyRig(): Promise<ToyRig> {
  const toy = new ToyRig();
  rig = toy;
  const first = await toy.run(['all']);
  expect(first.code, first.stderr).toBe(0);
  for (const file of PUBLISHED) expect(toy.exists(file), file).toBe(true);
  return toy;
}

describe('input folders', () => {
  it('a mistyped --input is an error before anything is touched', async () => {
    const toy = await builtToyRig();
    const total = toy.read('out/total.txt');
    const result = await toy.run(['all', '--input', 'vidoes']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`input folder ${path.join(toy.dir, 'vidoes')} does not exist; pass --input`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    for (const file of PUBLISHED) expect(toy.exists(file), file).toBe(true);
    expect(toy.read('out/total.txt')).toBe(total);
    expect(toy.takeRuns()).toEqual(['length a.mp4', 'length b.mp4', 'length c.mp4', 'steps a.mp4 from 0', 'steps b.mp4 from 0', 'steps c.mp4 from 0', 'total -', 'upper a.mp4', 'upper b.mp4', 'upper c.mp4']);
  });

  it('an input folder with no video keeps the published outputs unless --prune confirms', async () => {
    const toy = await builtToyRig();
    toy.write('mounted/.keep', '');
    const kept = await toy.run(['all', '--input', 'mounted']);
    expect(kept.code).toBe(2);
    expect(kept.stderr).toContain(`no input in ${path.join(toy.dir, 'mounted')}: their 3 published files (of 3) would be removed`);
    expect(kept.stderr).toContain('pass --prune');
    for (const file of PUBLISHED) expect(toy.exists(file), file).toBe(true);

    const dry = JSON.parse((await toy.run(['-n', '--json', '--input', 'mounted'])).stdout);
    expect(dry.prune.action).toBe('refuse');

    const pruned = await toy.run(['all', '--input', 'mounted', '--prune']);
    expect(pruned.code, pruned.stderr).toBe(0);
    expect(pruned.stderr).toContain('removed the outputs of 3 inputs no longer in');
    expect(pruned.stderr).toContain('a/upper.txt, b/upper.txt, c/upper.txt');
    for (const file of PUBLISHED.slice(0, 3)) expect(toy.exists(file), file).toBe(false);
  });

  it('removing more than half of the published outputs needs --prune; fewer are removed and listed', async () => {
    const toy = await builtToyRig();
    rmSync(path.join(toy.dir, 'videos/a.mp4'));
    rmSync(path.join(toy.dir, 'videos/b.mp4'));
    const refused = await toy.run(['all']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('2 inputs built before are no longer in');
    expect(refused.stderr).toContain('their 2 published files (of 3) would be removed');
    for (const file of PUBLISHED) expect(toy.exists(file), file).toBe(true);

    toy.write('videos/b.mp4', 'beta');
    const one = await toy.run(['all']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stderr).toContain(`removed the outputs of 1 inputs no longer in ${path.join(toy.dir, 'videos')} (a.mp4): a/upper.txt`);
    expect(toy.exists('out/a/upper.txt')).toBe(false);
    expect(toy.exists('out/b/upper.txt')).toBe(true);
  });

  it('one video file as --input is an input of one, and removes nothing of the folder', async () => {
    const toy = await builtToyRig();
    toy.takeRuns();
    toy.write('elsewhere/d.mp4', 'delta');
    const single = await toy.run(['all', '--input', 'elsewhere/d.mp4']);
    expect(single.code, single.stderr).toBe(0);
    expect(single.stderr).toContain(`1 input: ${path.join(toy.dir, 'elsewhere/d.mp4')}`);
    expect(toy.takeRuns()).toEqual(['length d.mp4', 'steps d.mp4 from 0', 'total -', 'upper d.mp4']);
    expect(toy.read('out/d/upper.txt')).toBe('DELTA!');
    for (const file of PUBLISHED) expect(toy.exists(file), file).toBe(true);

    toy.write('notes.txt', 'not a video');
    const wrong = await toy.run(['all', '--input', 'notes.txt']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe(`vbuild: --input ${path.join(toy.dir, 'notes.txt')} is neither a folder nor a video file (**/*.mp4)`);
  });

  it('with no ./videos and no --input it says how to pass one and creates nothing', async () => {
    const toy = new ToyRig();
    rig = toy;
    rmSync(path.join(toy.dir, 'videos'), { recursive: true });
    for (const args of [['all'], ['-n']]) {
      const result = await toy.run(args);
      expect(result.code).toBe(2);
      expect(result.stderr.trim()).toBe(`vbuild: input folder ${path.join(toy.dir, 'videos')} does not exist; pass --input with a folder of videos or one video file`);
    }
    expect(toy.exists('cache')).toBe(false);
    expect(toy.exists('out')).toBe(false);

    toy.write('videos/.keep', '');
    const empty = await toy.run(['all']);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stderr).toContain('nothing to build');
    expect(toy.exists('cache')).toBe(false);
    expect(toy.exists('out')).toBe(false);
  });
});

describe('param values', () => {
  it('negative numbers parse and are checked against the range, once, before any build', async () => {
    const toy = new ToyRig();
    rig = toy;
    const negative = await toy.run(['all', '--steps', '-2']);
    expect(negative.code).toBe(2);
    expect(negative.stderr.trim()).toBe('vbuild: --steps must be at least 1, got -2');
    expect(toy.exists('cache')).toBe(false);
  });

  it('VBUILD_<PARAM> sets a param; a flag beats it; a bad value is one error', async () => {
    const toy = new ToyRig({ 'a.mp4': 'alpha' });
    rig = toy;
    expect((await toy.run(['all'], { VBUILD_SUFFIX: '?' })).code).toBe(0);
    expect(toy.read('out/a/upper.txt')).toBe('ALPHA?');
    expect((await toy.run(['all', '--suffix', '#'], { VBUILD_SUFFIX: '?' })).code).toBe(0);
    expect(toy.read('out/a/upper.txt')).toBe('ALPHA#');
    const bad = await toy.run(['all'], { VBUILD_STEPS: 'many' });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim()).toBe('vbuild: VBUILD_STEPS must be a number, got "many"');
  });

  it('never takes its own output or cache for inputs, and an output path that is a file is one error', async () => {
    const toy = new ToyRig({ 'a.mp4': 'alpha' });
    rig = toy;
    // As if published clips and cached objects sat under an input folder given as `.`.
    toy.write('out/a/clip.mp4', 'published');
    toy.write('cache/objects/ab/clip.mp4', 'stored');
    const dry = await toy.run(['-n', '--input', '.']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('inputs:\n  videos/a.mp4\n');
    expect(dry.stdout).not.toContain('clip.mp4');

    toy.write('out.txt', 'a file');
    const file = await toy.run(['all', '--output', 'out.txt']);
    expect(file.code).toBe(2);
    expect(file.stderr.trim()).toBe(`vbuild: --output ${path.join(toy.dir, 'out.txt')} is a file, not a folder`);
  });
});

describe('failed inputs', () => {
  it('a batch build is told which inputs it left out after a failure, and why; that joins its key', async () => {
    const toy = new ToyRig({ 'a.mp4': 'alpha', 'b.mp4': 'FAIL here' });
    rig = toy;
    const failing = await toy.run(['all']);
    expect(failing.code).toBe(1);
    expect(JSON.parse(toy.read('out/failed.json'))).toEqual([{ item: 'b.mp4', build: 'upper@b.mp4', error: 'b.mp4 says FAIL' }]);
    toy.takeRuns();
    // The same failure again: the batch build stays fresh.
    expect((await toy.run(['all'])).code).toBe(1);
    expect(toy.takeRuns()).toEqual(['upper b.mp4']);
    toy.write('videos/b.mp4', 'beta');
    expect((await toy.run(['all'])).code).toBe(0);
    expect(toy.exists('out/failed.json')).toBe(false);
    expect(toy.read('out/total.txt')).toBe(String('ALPHA!'.length + 'BETA!'.length));
  });
});
