/**
 * The values of `--device`. Kept apart from session.ts so that rules and the CLI can list and
 * check them without loading onnxruntime's native code.
 */

export const DEVICES = ['auto', 'cpu', 'cuda', 'dml', 'coreml'] as const;
export type Device = (typeof DEVICES)[number];
/** An execution provider that can actually run a session. */
export type Provider = Exclude<Device, 'auto'>;
