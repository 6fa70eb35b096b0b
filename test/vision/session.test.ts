import { describe, expect, it } from 'vitest';
import os from 'node:os';
import path from 'node:path';
import { openSession } from '../../src/faces/onnx/session.ts';
import { lacks, TEST_MODELS } from '../helpers/test-data.ts';
import { SCRFD_MODEL, cudaProviderInstalled } from './fixtures.ts';

describe.skipIf(lacks(TEST_MODELS, 'execution providers on SCRFD-500M'))('execution providers', () => {
  it('runs on the cpu without a notice when asked for the cpu', async () => {
    const model = await openSession(SCRFD_MODEL, { device: 'cpu', threads: 1 });
    expect(model.provider).toBe('cpu');
    expect(model.notice).toBeNull();
  });

  it.skipIf(cudaProviderInstalled || process.platform !== 'linux')('falls back from cuda to the cpu with a notice', async () => {
    const model = await openSession(SCRFD_MODEL, { device: 'cuda', threads: 1 });
    expect(model.provider).toBe('cpu');
    expect(model.notice).toMatchObject({ requested: 'cuda', provider: 'cpu' });
    expect(model.notice!.message).toMatch(/cuda.*docs\/gpu\.md.*Using cpu/);
  });

  it.skipIf(process.platform !== 'linux')('falls back from providers of other platforms', async () => {
    for (const device of ['dml', 'coreml'] as const) {
      const model = await openSession(SCRFD_MODEL, { device, threads: 1 });
      expect(model.provider).toBe('cpu');
      expect(model.notice!.message).toContain(`has no ${device} provider`);
    }
  });

  it.skipIf(cudaProviderInstalled || process.platform !== 'linux')('auto picks the cpu and says why', async () => {
    const model = await openSession(SCRFD_MODEL, { device: 'auto', threads: 1 });
    expect(model.provider).toBe('cpu');
    expect(model.notice!.message).toMatch(/^--device auto: cuda: /);
  });

  it('creates one session per model and options', async () => {
    const a = await openSession(SCRFD_MODEL, { device: 'cpu', threads: 2 });
    const b = await openSession(path.relative(process.cwd(), SCRFD_MODEL), { device: 'cpu', threads: 2 });
    const c = await openSession(SCRFD_MODEL, { device: 'cpu', threads: 1 });
    expect(b.session).toBe(a.session);
    expect(c.session).not.toBe(a.session);
  });
});

describe('sessions', () => {
  it('names the model it cannot load', async () => {
    await expect(openSession(path.join(os.tmpdir(), 'no-such-model.onnx'), { device: 'cpu', threads: 1 })).rejects.toThrow(
      /cannot load model .*no-such-model\.onnx/,
    );
  });
});
