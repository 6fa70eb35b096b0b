import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { seedModels } from './shared-models.ts';
import { scaled } from './time-limits.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(REPO_ROOT, 'bin/vbuild.js');

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temp project folder with a config and inputs, driving the real `vbuild` executable. */
export class Rig {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'vbuild-test-'));

  write(rel: string, content: string): string {
    const file = path.join(this.dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, content);
    return file;
  }

  read(rel: string): string {
    return readFileSync(path.join(this.dir, rel), 'utf8');
  }

  exists(rel: string): boolean {
    return existsSync(path.join(this.dir, rel));
  }

  /** Starts vbuild; resolve with `done(child)`. */
  start(args: readonly string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
    return spawn(process.execPath, [BIN, ...args], {
      cwd: this.dir,
      env: { ...process.env, ...env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  run(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
    return done(this.start(args, env));
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function done(child: ChildProcess): Promise<Result> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `rule@item` of builds whose plain `running` line came without a `done`/`FAILED` line. */
export function runningIn(stderr: string): string[] {
  const open = new Set<string>();
  for (const line of stderr.split('\n')) {
    const match = /^\[(\w+)\] (.+?): (running|done in|FAILED)/.exec(line);
    if (!match) continue;
    const id = `${match[1]}@${match[2]}`;
    if (match[3] === 'running') open.add(id);
    else open.delete(id);
  }
  return [...open];
}

/**
 * Polls until `check` holds (for tests that race a real child process), failing after `ms` on an
 * idle machine, proportionally longer on a busy one (time-limits.ts).
 */
export async function until(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + scaled(ms);
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * A Rig that runs the pipeline that ships with vbuild (embedded models) as a user does: no config
 * file of its own, so vbuild runs the shipped one compiled with its CLI. An empty videos/ folder
 * and, unless `convertedModels` is false (no cache folder at all), the converted models already
 * in its cache.
 */
export function defaultPipelineRig({ convertedModels = true } = {}): Rig {
  const rig = new Rig();
  if (convertedModels) seedModels(path.join(rig.dir, 'cache'));
  rig.write('videos/.keep', '');
  return rig;
}
