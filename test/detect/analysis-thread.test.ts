import { afterAll, describe, expect, it } from 'vitest';
import { startAnalysisThread } from '../../src/detect/analysis-thread.ts';
import { resolvePack } from '../../src/faces/packs.ts';
import { borrowAnalysisThread, returnAnalysisThread } from '../../src/detect/thread-pool.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import type { RgbFrame } from '../../src/faces/types.ts';
import { lacks, TEST_CORPUS, TEST_MODELS } from '../helpers/test-data.ts';
import { corpusVideo, removePacks, scrfdPack } from './fixtures.ts';

async function frameAt(video: string, time: number): Promise<RgbFrame> {
  for await (const frame of decodeFrames(corpusVideo(video), { start: time, pixFmt: 'rgb24' })) return frame;
  throw new Error(`no frame at ${time}s`);
}

describe.skipIf(lacks([TEST_MODELS, TEST_CORPUS], 'the analysis worker thread'))('analysis worker thread', () => {
  afterAll(removePacks);

  it('records a frame that fails on its own and keeps the faces of its batch-mates', async () => {
    const thread = await startAnalysisThread({
      pack: await resolvePack(scrfdPack()),
      device: 'cpu',
      threads: 1,
      detSize: 640,
      scoreThreshold: 0.3,
      batchSize: 4,
    });
    try {
      expect(thread.info).toMatchObject({ provider: 'cpu', poseOrigin: 'kps5' });
      const face = await frameAt('woman_frontal_static_720p.mp4', 1);
      const torn: RgbFrame = { width: 64, height: 64, data: new Uint8Array(100) };
      const outcomes = await thread.analyse([face, torn, await frameAt('woman_frontal_static_720p.mp4', 2)]);
      expect(outcomes).toHaveLength(3);
      expect(outcomes[1]).toEqual({ error: expect.stringContaining('expected an rgb24 frame of 64x64') });
      for (const outcome of [outcomes[0]!, outcomes[2]!]) {
        expect('faces' in outcome && outcome.faces.length).toBe(1);
      }
      // The worker goes on after a failure.
      expect(await thread.analyse([await frameAt('coffee_pour_noface_720p.mp4', 5)])).toEqual([{ faces: [] }]);
    } finally {
      await thread.close();
    }
  });

  it('rejects with the reason when the pack cannot be loaded', async () => {
    const pack = await resolvePack(scrfdPack());
    const broken = { ...pack, detector: '/nonexistent/det_10g.onnx' };
    await expect(startAnalysisThread({ pack: broken, device: 'cpu', threads: 1, detSize: 640, scoreThreshold: 0.3, batchSize: 1 })).rejects.toThrow(
      /det_10g\.onnx/,
    );
  });

  it('keeps a healthy thread for the next video with the same settings, and closes a broken one', async () => {
    const settings = { pack: await resolvePack(scrfdPack()), device: 'cpu', threads: 1, detSize: 640, scoreThreshold: 0.3, batchSize: 2 } as const;
    const first = await borrowAnalysisThread(settings);
    await returnAnalysisThread(settings, first);
    const second = await borrowAnalysisThread(settings);
    expect(second).toBe(first);
    const other = await borrowAnalysisThread({ ...settings, batchSize: 3 });
    expect(other).not.toBe(first);
    await other.close();
    // A thread whose worker is gone is not handed out again.
    await second.close();
    expect(second.broken).toBe(true);
    await returnAnalysisThread(settings, second);
    const third = await borrowAnalysisThread(settings);
    expect(third).not.toBe(second);
    await third.close();
  });
});
