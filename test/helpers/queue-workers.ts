/** Real `vbuild worker` processes for the queue tests, and a folder's files for comparing runs. */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { type Rig, until } from './rig.ts';

/** Every file under `dir` by its relative path, with its bytes. */
export function treeOf(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    if (statSync(full).isFile()) files[path.relative(dir, full)] = readFileSync(full).toString('base64');
  }
  return files;
}

/** A `vbuild worker` of `rig`, started and listening. */
export async function startWorker(rig: Rig, url: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; log: () => string }> {
  const child = rig.start(['worker', '--queue', url, '-j', '1', ...args], env);
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  await until(() => log.includes('takes builds from') || child.exitCode !== null, 60_000);
  if (child.exitCode !== null) throw new Error(`worker exited ${child.exitCode}: ${log}`);
  return { child, log: () => log };
}

export async function stopWorker({ child }: { child: ChildProcess }): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
