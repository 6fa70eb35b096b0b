import { describe, expect, it } from 'vitest';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPack, packFiles } from '../../src/faces/insightface/pack.ts';
import { SCRFD_MODEL, folderOfScrfd as folder } from './fixtures.ts';

describe('model packs', () => {
  it('finds the models of a buffalo_l-like folder and lists only the ones it uses', async () => {
    const dir = await folder(['det_10g.onnx', '1k3d68.onnx', 'w600k_r50.onnx', '2d106det.onnx', 'genderage.onnx']);
    const pack = await loadPack(dir);
    expect(pack).toEqual({
      kind: 'insightface',
      dir,
      detector: path.join(dir, 'det_10g.onnx'),
      landmark3d: path.join(dir, '1k3d68.onnx'),
      recognition: path.join(dir, 'w600k_r50.onnx'),
    });
    expect(packFiles(pack)).toEqual([pack.detector, pack.landmark3d, pack.recognition]);
  });

  it('takes a detector-only folder, preferring det_* over scrfd*', async () => {
    const dir = await folder(['scrfd_500m_bnkps.onnx', 'det_500m.onnx']);
    const pack = await loadPack(dir);
    expect(pack.detector).toBe(path.join(dir, 'det_500m.onnx'));
    expect(pack.landmark3d).toBeNull();
    expect(pack.recognition).toBeNull();
    expect(packFiles(pack)).toEqual([pack.detector]);
  });

  it('says what is missing and what it found', async () => {
    const dir = await folder(['1k3d68.onnx', 'w600k_mbf.onnx']);
    await writeFile(path.join(dir, 'readme.txt'), '');
    await expect(loadPack(dir)).rejects.toThrow(
      /no face detector in model folder .*: expected det_\*\.onnx or scrfd\*\.onnx .*found: 1k3d68\.onnx, readme\.txt, w600k_mbf\.onnx/,
    );
  });

  it('points into a folder unzipped one level too deep', async () => {
    const dir = await folder([]);
    await mkdir(path.join(dir, 'buffalo_s'));
    await symlink(SCRFD_MODEL, path.join(dir, 'buffalo_s', 'det_500m.onnx'));
    await expect(loadPack(dir)).rejects.toThrow(/the folder is empty; did you mean .*buffalo_s\?/);
  });

  it('rejects a missing folder and a file', async () => {
    await expect(loadPack('/nonexistent/buffalo_l')).rejects.toThrow(/does not exist/);
    await expect(loadPack(fileURLToPath(import.meta.url))).rejects.toThrow(/must name a folder/);
  });
});
