/** Issue 18 items 3 and 7: symlink loops, extensions in any case, files not taken said once. */
import { linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discoverItems } from '../../src/engine/items.ts';
import { ToyRig } from './toy-rig.ts';

const VIDEOS = ['**/*.{mp4,mov,ts,mts,m2ts,mpg,mpeg,wmv,flv,3gp}'];
let dir: string;
let rig: ToyRig | undefined;
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rig?.cleanup();
});

function tree(files: string[], links: Record<string, string> = {}): string {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vbuild-walk-'));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), file);
  }
  for (const [link, target] of Object.entries(links)) symlinkSync(target, path.join(dir, link));
  return dir;
}

describe('the input folder walk', () => {
  it('takes video extensions in any case, and names what it did not take', async () => {
    tree(['a.MP4', 'b.Mov', 'c.mts', 'd.M2TS', 'e.mpg', 'f.WMV', 'g.flv', 'h.3gp', 'i.ts', 'notes.txt', 'cover.JPG', '.hidden.mp4', '.meta/x.mp4']);
    const selection = await discoverItems({ dir, include: VIDEOS });
    expect(selection.items.map((item) => item.id)).toEqual(['a.MP4', 'b.Mov', 'c.mts', 'd.M2TS', 'e.mpg', 'f.WMV', 'g.flv', 'h.3gp', 'i.ts']);
    expect(selection.notTaken.sort()).toEqual(['cover.JPG', 'notes.txt']);
  });

  it('follows a symlinked folder once: a loop or a second way in is reported, not walked again', async () => {
    const outside = mkdtempSync(path.join(os.tmpdir(), 'vbuild-walk-outside-'));
    writeFileSync(path.join(outside, 'far.mp4'), 'far');
    try {
      tree(['a.mp4', 'in/d/b.mp4', 'sub/c.mp4'], {
        'in/d/loop': '..',
        'in/up': '..',
        'to-parent': '../..',
        'again': 'sub',
        'zlink': 'sub',
        'far': outside,
        'gone.mp4': 'nowhere.mp4',
        'alias.mp4': 'a.mp4',
      });
      const selection = await discoverItems({ dir, include: VIDEOS });
      // Real folders keep their own names; a link to a folder outside is walked under its name.
      expect(selection.items.map((item) => item.id)).toEqual(['a.mp4', 'alias.mp4', 'far/far.mp4', 'in/d/b.mp4', 'sub/c.mp4']);
      expect(selection.repeatedFolders.sort()).toEqual(['again', 'in/d/loop', 'in/up', 'to-parent', 'zlink']);
      expect(selection.brokenLinks).toEqual(['gone.mp4']);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('the run says each in one line', async () => {
    rig = new ToyRig({ 'a.mp4': 'alpha' });
    dir = rig.dir;
    rig.write('videos/readme.txt', 'x');
    rig.write('videos/poster.jpg', 'x');
    symlinkSync('..', path.join(rig.dir, 'videos/loop'));
    const result = await rig.run(['-n']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`vbuild: 2 other files in ${path.join(rig.dir, 'videos')} are not videos by their extension and were not taken (.jpg, .txt; videos: **/*.mp4)`);
    expect(result.stderr).toContain('vbuild: warning: not followed: 1 symlinked folders leading where the walk had been already (a loop or a second way in): loop');
    expect(result.stdout).toContain('inputs:\n  a.mp4\n');
  });
});

describe('the same video twice', () => {
  it('a copy, a hard link or a symlink of an input is built once, under the first name, and said once', async () => {
    rig = new ToyRig({ 'a.mp4': 'alpha', 'b.mp4': 'beta', 'copy of a.mp4': 'alpha' });
    dir = rig.dir;
    linkSync(path.join(rig.dir, 'videos/b.mp4'), path.join(rig.dir, 'videos/hard link of b.mp4'));
    symlinkSync('a.mp4', path.join(rig.dir, 'videos/z link to a.mp4'));
    const result = await rig.run(['all']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'vbuild: 3 inputs have the same content as another and are built once, under the first name: ' +
        'copy of a.mp4 = a.mp4, hard link of b.mp4 = b.mp4, z link to a.mp4 = a.mp4',
    );
    expect(rig.takeRuns().filter((line) => line.startsWith('upper'))).toEqual(['upper a.mp4', 'upper b.mp4']);
    expect(rig.read('out/total.txt')).toBe(String('ALPHA!'.length + 'BETA!'.length));
    expect(readdirSync(path.join(rig.dir, 'out')).sort()).toEqual(['a', 'b', 'total.txt']);
  });
});
