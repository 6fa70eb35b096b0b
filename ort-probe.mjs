import fs from 'node:fs';
const M = '/tmp/s13/c1/cache/models/embedded-human-3.3.6-810bc77a1d853a0e/';
const ort = await import('onnxruntime-node');
for (const [m, size, batch] of [['blazeface', 256, 1], ['facemesh', 192, 2], ['faceres', 224, 2]]) {
  const s = await ort.InferenceSession.create(M + m + '.onnx', { executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: 1, enableProfiling: true, profileFilePrefix: '/tmp/s13/ortprof-' + m });
  const input = new ort.Tensor('float32', new Float32Array(batch * 3 * size * size).map(() => Math.random()), [batch, 3, size, size]);
  for (let i = 0; i < 3; i++) await s.run({ [s.inputNames[0]]: input });
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 20; i++) await s.run({ [s.inputNames[0]]: input });
  console.log(m, 'ms per run', (Number(process.hrtime.bigint() - t0) / 1e6 / 20).toFixed(2), 'batch', batch);
  s.endProfiling();
}
