import { describe, expect, it } from 'vitest';
import { mkdtemp, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createAnalyzer, loadPack } from '../../src/vision/index.ts';
import { SCRFD_MODEL } from './corpus.ts';

// No 1k3d68 or ArcFace model can be had here; a pack naming the detector as one is refused clearly.
describe('analyzer over a mislabelled pack', () => {
  it.each(['1k3d68.onnx', 'w600k_r50.onnx'])('names %s when it is not the model it should be', async (name) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-pack-'));
    await symlink(SCRFD_MODEL, path.join(dir, 'det_500m.onnx'));
    await symlink(SCRFD_MODEL, path.join(dir, name));
    const pack = await loadPack(dir);
    await expect(createAnalyzer(pack, { device: 'cpu', threads: 1, detSize: 640, scoreThreshold: 0.5 })).rejects.toThrow(
      new RegExp(`${name.replace('.', '\\.')}: expected one output, found 9`),
    );
  });
});
