/** Face analysis on onnxruntime-node: model packs, detection, pose, identity embeddings. */

export { createAnalyzer, type Analyzer, type AnalyzerOptions } from './analyzer.ts';
export { cosineSimilarity } from './vector.ts';
export { loadPack, packFiles, type ModelPack } from './pack.ts';
export { DEVICES, type Device, type Provider } from './devices.ts';
export type { DeviceNotice } from './session.ts';
export type { Box, Face, Point, Pose, PoseSource, RgbFrame } from './types.ts';
