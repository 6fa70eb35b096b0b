/** Face analysis on onnxruntime-node: model packs of two families, detection, pose, identity embeddings. */

export { createInsightfaceAnalyzer, type AnalyzerOptions } from './insightface/analyzer.ts';
export { createEmbeddedAnalyzer, type EmbeddedFace } from './embedded/analyzer.ts';
export { cosineSimilarity } from './geometry/vector.ts';
export { loadPack, packFiles, type InsightfacePack } from './insightface/pack.ts';
export { modelFiles, openFaceAnalyzer, packLabel, resolvePack, type ModelPack } from './packs.ts';
export { DEVICES, type Device, type Provider } from './onnx/devices.ts';
export type { DeviceNotice } from './onnx/session.ts';
export type { Box, Face, FaceAnalyzer, Point, Pose, PoseOrigin, RgbFrame } from './types.ts';
