/**
 * bin/compiled-cli.js on a small package of its own: the entries are compiled once, kept while
 * their sources are unchanged, compiled again when one changes, and each module keeps its own
 * import.meta.url. A source that does not compile leaves vbuild on its sources (undefined), and
 * vbuild run from its sources (VBUILD_FROM_SOURCES=1) does what the compiled one does.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToyRig } from './toy-rig.ts';
// @ts-expect-error: plain JavaScript without declarations, run before anything can load TypeScript.
import { compiledCli } from '../../bin/compiled-cli.js';

type Entries = { cli: string; config: string; analysisWorker: string } | undefined;
const compile = compiledCli as (root: string) => Promise<Entries>;

let root = '';
const write = (rel: string, text: string) => {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
};
/** The folder a package's builds are kept in, from an entry of one. */
const keptIn = (entries: Entries) => path.dirname(path.dirname(fileURLToPath(entries!.cli)));
const builds = (folder: string) => readdirSync(folder).filter((name) => name.startsWith('b-'));

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'vbuild-compiled-'));
  write('package.json', JSON.stringify({ type: 'module' }));
  write('src/cli/entry.ts', "import { word } from './word.ts';\nexport const said: string = word;\nexport const where: string = import.meta.url;\n");
  write('src/cli/word.ts', "export const word: string = 'first';\n");
  write('pipeline.config.ts', "import { word } from './src/cli/word.ts';\nexport default { word };\n");
  write('src/detect/analysis-worker.ts', "import { word } from '../cli/word.ts';\nexport const heard: string = word;\n");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the CLI compiled ahead', () => {
  it('compiles the entries, sharing their modules, and each module keeps its own import.meta.url', async () => {
    const entries = await compile(root);
    expect(entries).toBeDefined();
    const cli = (await import(entries!.cli)) as { said: string; where: string };
    const config = (await import(entries!.config)) as { default: { word: string } };
    const worker = (await import(entries!.analysisWorker)) as { heard: string };
    expect(cli.said).toBe('first');
    expect(config.default.word).toBe('first');
    expect(worker.heard).toBe('first');
    expect(cli.where).toBe(pathToFileURL(path.join(root, 'src/cli/entry.ts')).href);
    // One chunk holds what they all import, so a process has one copy of the shared modules.
    const [build] = builds(keptIn(entries));
    expect(readdirSync(path.join(keptIn(entries), build!)).filter((file) => file.startsWith('chunk-'))).toHaveLength(1);
  });

  it('keeps the build while the sources are unchanged and makes a new one when one changes', async () => {
    const first = await compile(root);
    const pointer = path.join(keptIn(first), 'current.json');
    const kept = readFileSync(pointer, 'utf8');
    expect(await compile(root)).toEqual(first);
    expect(readFileSync(pointer, 'utf8')).toBe(kept);

    write('src/cli/word.ts', "export const word: string = 'second';\n");
    const second = await compile(root);
    expect(second!.cli).not.toBe(first!.cli);
    expect(((await import(second!.cli)) as { said: string }).said).toBe('second');
    // The first build stays for a while: a run started before the change may still load its chunks.
    expect(builds(keptIn(first))).toHaveLength(2);
  });

  it('keeps a build per checkout where checkouts share one node_modules', async () => {
    const other = mkdtempSync(path.join(os.tmpdir(), 'vbuild-compiled-other-'));
    try {
      for (const rel of ['package.json', 'src/cli/entry.ts', 'src/cli/word.ts', 'pipeline.config.ts', 'src/detect/analysis-worker.ts']) {
        mkdirSync(path.dirname(path.join(other, rel)), { recursive: true });
        writeFileSync(path.join(other, rel), readFileSync(path.join(root, rel)));
      }
      const mine = await compile(root);
      symlinkSync(path.join(root, 'node_modules'), path.join(other, 'node_modules'));
      const theirs = await compile(other);
      expect(((await import(theirs!.cli)) as { where: string }).where).toBe(pathToFileURL(path.join(other, 'src/cli/entry.ts')).href);
      // Not compiled again: the pointer to the build is not even rewritten.
      const written = statSync(path.join(keptIn(mine), 'current.json')).mtimeMs;
      expect(await compile(root)).toEqual(mine);
      expect(statSync(path.join(keptIn(mine), 'current.json')).mtimeMs).toBe(written);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('gives nothing when a source does not compile, so that vbuild runs from its sources', async () => {
    write('src/cli/word.ts', 'export const word: string = ;\n');
    expect(await compile(root)).toBeUndefined();
  });
});

describe('vbuild from its sources', () => {
  it('builds, and is then fresh for, the compiled CLI, and the other way round', async () => {
    const rig = new ToyRig();
    try {
      const fromSources = await rig.run(['all'], { VBUILD_FROM_SOURCES: '1' });
      expect(fromSources.code, fromSources.stderr).toBe(0);
      expect(rig.takeRuns()).toHaveLength(10);
      const compiled = await rig.run(['all']);
      expect(compiled.stderr).toContain('0 ran, 0 restored from cache, 10 fresh');
      rig.write('videos/b.mp4', 'beta, longer');
      expect((await rig.run(['all'])).code).toBe(0);
      const total = rig.read('out/total.txt');
      rig.write('videos/b.mp4', 'beta');
      expect((await rig.run(['all'], { VBUILD_FROM_SOURCES: '1' })).code).toBe(0);
      rig.write('videos/b.mp4', 'beta, longer');
      const again = await rig.run(['all'], { VBUILD_FROM_SOURCES: '1' });
      expect(again.stderr).toContain('0 ran, 4 restored from cache, 6 fresh');
      expect(rig.read('out/total.txt')).toBe(total);
    } finally {
      rig.cleanup();
    }
  });
});
