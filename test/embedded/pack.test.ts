import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { embeddedPack, embeddedPackFiles, packFolderName } from '../../src/faces/embedded/pack.ts';
import { locateSources } from '../../src/faces/embedded/sources.ts';
import { freshPack } from './fixtures.ts';

describe('embedded pack', () => {
  it('converts the three models once into the cache, in a folder named after the sources', async () => {
    const pack = await freshPack();
    const sources = await locateSources();
    expect(path.basename(pack.dir)).toBe(packFolderName(sources));
    expect(pack.source).toBe(`@vladmandic/human@${sources.version}`);
    expect(pack.sources.map((f) => path.basename(f))).toEqual([
      'blazeface.bin', 'blazeface.json', 'facemesh.bin', 'facemesh.json', 'faceres.bin', 'faceres.json',
    ]);
    const manifest = JSON.parse(await readFile(path.join(pack.dir, 'pack.json'), 'utf8'));
    expect(manifest.files.map((f: { sha256: string }) => f.sha256)).toEqual(sources.hashes);
    const files = (p: typeof pack) => [...embeddedPackFiles(p), p.detector, p.mesh, p.descriptor];
    expect(new Set(files(pack)).size).toBe(6);
    const before = await Promise.all(files(pack).map((f) => stat(f)));
    // Same cache folder: nothing is converted again.
    const again = await embeddedPack(path.dirname(pack.dir));
    expect(again).toEqual(pack);
    const after = await Promise.all(files(again).map((f) => stat(f)));
    expect(after.map((s) => s.mtimeMs)).toEqual(before.map((s) => s.mtimeMs));
  });

  it('adds the faster forms to a folder converted before them, and leaves its literal models (the key) as they were', async () => {
    const pack = await freshPack();
    const older = await mkdtemp(path.join(os.tmpdir(), 'vbuild-older-pack-'));
    const dir = path.join(older, path.basename(pack.dir));
    await cp(pack.dir, dir, { recursive: true, preserveTimestamps: true });
    for (const file of [pack.detector, pack.mesh, pack.descriptor]) await rm(path.join(dir, path.basename(file)));
    const literalBefore = await Promise.all(embeddedPackFiles(pack).map((f) => stat(path.join(dir, path.basename(f)))));
    const upgraded = await embeddedPack(older);
    expect(upgraded.dir).toBe(dir);
    expect((await Promise.all(upgraded.literal.map((f) => stat(f)))).map((s) => s.mtimeMs)).toEqual(literalBefore.map((s) => s.mtimeMs));
    for (const role of ['detector', 'mesh', 'descriptor'] as const) {
      expect((await readFile(upgraded[role])).equals(await readFile(pack[role]))).toBe(true);
    }
  });

  it('gives other source contents (another package version) another folder', async () => {
    const sources = await locateSources();
    const changed = { ...sources, hashes: sources.hashes.map((h, i) => (i === 2 ? h.replace(/^./, (c) => (c === '0' ? '1' : '0')) : h)) };
    expect(packFolderName(changed)).not.toBe(packFolderName(sources));
    expect(packFolderName({ ...sources, version: '9.9.9' })).toMatch(/^embedded-human-9\.9\.9-/);
  });

  it('runs the literal models from a folder where their faster forms cannot be written', async (context) => {
    const pack = await freshPack();
    const mount = await mkdtemp(path.join(os.tmpdir(), 'vbuild-readonly-pack-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mount], { stdio: 'pipe' });
    } catch (error) {
      context.skip(`cannot mount a tmpfs here (needs root): ${String(error)}`);
      return;
    }
    try {
      const dir = path.join(mount, path.basename(pack.dir));
      await cp(pack.dir, dir, { recursive: true });
      for (const file of [pack.detector, pack.mesh, pack.descriptor]) await rm(path.join(dir, path.basename(file)));
      // Read-only even for root: the faster forms cannot be added.
      execFileSync('mount', ['-o', 'remount,ro', mount]);
      const readOnly = await embeddedPack(mount);
      expect([readOnly.detector, readOnly.mesh, readOnly.descriptor]).toEqual(readOnly.literal);
      expect(readOnly.literal.map((f) => path.basename(f))).toEqual(embeddedPackFiles(pack).map((f) => path.basename(f)));
      expect(readdirSync(dir).sort()).toEqual(['blazeface.onnx', 'facemesh.onnx', 'faceres.onnx', 'pack.json']);
      await InferenceSession.create(readOnly.mesh);
    } finally {
      execFileSync('umount', [mount]);
      await rm(mount, { recursive: true, force: true });
    }
  });

  it('declares NCHW image inputs and the outputs the analyzer reads', async () => {
    const pack = await freshPack();
    const io = async (file: string) => {
      const session = await InferenceSession.create(file);
      return { input: session.inputMetadata[0], outputs: session.outputNames };
    };
    const detector = await io(pack.detector);
    expect(detector.input).toMatchObject({ shape: [1, 3, 256, 256] });
    expect([...detector.outputs].sort()).toEqual(['boxes16', 'boxes32', 'scores16', 'scores32']);
    expect(await io(pack.mesh)).toMatchObject({ input: { shape: ['batch', 3, 192, 192] }, outputs: ['mesh', 'faceflag'] });
    expect(await io(pack.descriptor)).toMatchObject({ input: { shape: ['batch', 3, 224, 224] }, outputs: ['descriptor'] });
  });
});
