import { describe, expect, it } from 'vitest';
import { createInsightfaceAnalyzer, loadPack } from '../../src/faces/index.ts';
import { lacks, TEST_MODELS } from '../helpers/test-data.ts';
import { cudaProviderInstalled, folderOfScrfd } from './fixtures.ts';

const packOf = async (names: readonly string[]) => loadPack(await folderOfScrfd(names));

describe.skipIf(lacks(TEST_MODELS, 'the analyzer on SCRFD-500M'))('analyzer', () => {
  it.skipIf(cudaProviderInstalled || process.platform !== 'linux')('runs on the cpu when cuda is asked for and tells why, once', async () => {
    const analyzer = await createInsightfaceAnalyzer(await packOf(['det_500m.onnx']), {
      device: 'cuda', threads: 1, detSize: 640, scoreThreshold: 0.5,
    });
    expect(analyzer.provider).toBe('cpu');
    expect(analyzer.notices).toHaveLength(1);
    expect(analyzer.notices[0]).toMatchObject({ requested: 'cuda', provider: 'cpu' });
  });

  // No 1k3d68 or ArcFace model can be had here; a pack naming the detector as one is refused clearly.
  it.each(['1k3d68.onnx', 'w600k_r50.onnx'])('names %s when it is not the model it should be', async (name) => {
    const pack = await packOf(['det_500m.onnx', name]);
    await expect(createInsightfaceAnalyzer(pack, { device: 'cpu', threads: 1, detSize: 640, scoreThreshold: 0.5 })).rejects.toThrow(
      new RegExp(`${name.replace('.', '\\.')}: expected one output, found 9`),
    );
  });
});
