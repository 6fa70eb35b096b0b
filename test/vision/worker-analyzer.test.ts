import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzer, createWorkerAnalyzer, loadPack, type ModelPack, type RgbFrame, type WorkerAnalyzer } from '../../src/vision/index.ts';
import { folderOfScrfd, frameAt } from './fixtures.ts';

const OPTIONS = { device: 'cpu', threads: 1, detSize: 640, scoreThreshold: 0.5 } as const;

describe('analyzer in a worker thread', () => {
  let pack: ModelPack;
  let frames: RgbFrame[];
  let worker: WorkerAnalyzer;

  beforeAll(async () => {
    pack = await loadPack(await folderOfScrfd(['det_500m.onnx']));
    [frames, worker] = await Promise.all([
      Promise.all([frameAt('opera_house_walkers_1080p.mp4', 3.5), frameAt('congresswoman_address_mpeg4_512.mp4', 1)]),
      createWorkerAnalyzer(pack, OPTIONS),
    ]);
  });
  afterAll(() => worker.close());

  it('finds the same faces as the analyzer in this thread', async () => {
    const here = await createAnalyzer(pack, OPTIONS);
    const [inWorker, inThread] = await Promise.all([worker.detect(frames), here.detect(frames)]);
    expect(inWorker).toEqual(inThread);
    expect(worker.poseSource).toBe('kps5');
    expect(worker.provider).toBe('cpu');
  });

  it('answers concurrent requests each with its own frames, leaving the frames usable', async () => {
    const [a, b] = await Promise.all([worker.detect([frames[1]!]), worker.detect([frames[0]!])]);
    expect(a[0]).toHaveLength(1);
    expect(b[0]!.length).toBeGreaterThanOrEqual(3);
    expect(frames[0]!.data.length).toBe(1920 * 1080 * 3);
  });

  it('reports an analyzer that cannot be created, and refuses work once closed', async () => {
    const broken = await loadPack(await folderOfScrfd(['det_500m.onnx', 'w600k_r50.onnx']));
    await expect(createWorkerAnalyzer(broken, OPTIONS)).rejects.toThrow(/w600k_r50\.onnx: expected one output/);
    const closing = await createWorkerAnalyzer(pack, OPTIONS);
    await closing.close();
    await expect(closing.detect(frames)).rejects.toThrow(/exited/);
  });
});
