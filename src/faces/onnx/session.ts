/**
 * onnxruntime-node sessions: picks the execution provider for `--device`, falls back to the CPU
 * with a notice (returned as data, never printed, never thrown), and creates each session once
 * per process.
 */

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { InferenceSession, listSupportedBackends } from 'onnxruntime-node';
import type { Device, Provider } from './devices.ts';

// Also importable from here, where the session options that use them live.
export type { Device, Provider };

export interface SessionOptions {
  device: Device;
  /** Intra-op threads of one inference; 0 lets onnxruntime use every core. */
  threads: number;
}

/** Says that the requested device could not be used and what runs instead. */
export interface DeviceNotice {
  requested: Device;
  provider: Provider;
  message: string;
}

export interface ModelSession {
  session: InferenceSession;
  provider: Provider;
  /** Null when the requested device is the one in use. */
  notice: DeviceNotice | null;
}

const sessions = new Map<string, Promise<ModelSession>>();
/** Providers that failed once in this process, with why, so later models skip them quietly. */
const failedProviders = new Map<Provider, string>();

/** The session for this model and these options, created on first use and shared afterwards. */
export function openSession(modelPath: string, options: SessionOptions): Promise<ModelSession> {
  const resolved = path.resolve(modelPath);
  const key = JSON.stringify([resolved, options.device, options.threads]);
  let pending = sessions.get(key);
  if (!pending) {
    pending = createSession(resolved, options);
    sessions.set(key, pending);
    // A model that cannot be loaded at all may be fixed on disk; let the next call try again.
    pending.catch(() => sessions.delete(key));
  }
  return pending;
}

/**
 * Releases every session opened on this thread; call it only while none runs an inference. Their
 * native memory goes now rather than whenever the thread's teardown gets to it.
 */
export async function releaseSessions(): Promise<void> {
  const opened = await Promise.allSettled(sessions.values());
  sessions.clear();
  for (const each of opened) if (each.status === 'fulfilled') await each.value.session.release();
}

async function createSession(modelPath: string, options: SessionOptions): Promise<ModelSession> {
  const skipped: string[] = [];
  for (const provider of providerPreference(options.device)) {
    const reason = failedProviders.get(provider) ?? whyUnavailable(provider);
    if (reason === null) {
      try {
        const session = await InferenceSession.create(modelPath, sessionOptions(provider, options.threads));
        return { session, provider, notice: null };
      } catch (error) {
        failedProviders.set(provider, `failed to start: ${(error as Error).message}`);
      }
    }
    skipped.push(`${provider}: ${failedProviders.get(provider) ?? reason}`);
  }
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(modelPath, sessionOptions('cpu', options.threads));
  } catch (error) {
    throw new Error(`cannot load model ${modelPath}: ${(error as Error).message}`);
  }
  const notice: DeviceNotice | null =
    skipped.length === 0
      ? null
      : { requested: options.device, provider: 'cpu', message: `--device ${options.device}: ${skipped.join('; ')}. Using cpu.` };
  return { session, provider: 'cpu', notice };
}

/** Accelerated providers to try, best first; the CPU is always the last resort. */
function providerPreference(device: Device): Provider[] {
  if (device === 'cpu') return [];
  if (device !== 'auto') return [device];
  switch (process.platform) {
    case 'win32':
      return ['cuda', 'dml'];
    case 'darwin':
      return ['coreml'];
    default:
      return ['cuda'];
  }
}

function sessionOptions(provider: Provider, threads: number): InferenceSession.SessionOptions {
  return {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
  };
}

/** Why a provider cannot work in this installation, or null when it is worth trying. */
function whyUnavailable(provider: Provider): string | null {
  if (provider === 'cpu') return null;
  const backend = listSupportedBackends().find((b) => b.name === provider);
  if (!backend) {
    return `this onnxruntime-node build (${process.platform}/${process.arch}) has no ${provider} provider`;
  }
  if (provider === 'cuda' && !backend.bundled && !cudaProviderInstalled()) {
    return 'the CUDA provider of onnxruntime-node is not installed (see docs/gpu.md)';
  }
  return null;
}

/**
 * onnxruntime-node ships its CUDA provider as a separate download next to its native binding.
 * Checking for the file first avoids onnxruntime's own loader error on stderr. If the package
 * layout is not the one expected, the check gives up and the provider is simply tried.
 */
function cudaProviderInstalled(): boolean {
  const require = createRequire(import.meta.url);
  const bindingDir = path.join(
    path.dirname(require.resolve('onnxruntime-node')),
    '..',
    'bin',
    'napi-v6',
    process.platform,
    process.arch,
  );
  if (!existsSync(bindingDir)) return true;
  const library = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(path.join(bindingDir, library));
}
