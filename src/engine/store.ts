import { chmod, mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { hashFile } from './hash.ts';

/**
 * Content-addressed artifact storage. The seam where a shared store (a network filesystem,
 * an S3-compatible bucket) can replace the local directory without touching the engine.
 *
 * The engine puts every output of a finished build and hands dependents `path(hash)` as a file
 * to read, so a remote store must keep a local copy of what it serves. Objects are immutable:
 * `put` of content already stored keeps one copy. Which objects are live is the traces' and run
 * cache's business (`collectGarbage` in gc.ts walks LocalStore's folder to delete the others).
 */
export interface ArtifactStore {
  /** Moves `file` into the store and returns its content hash; the source file is consumed. */
  put(file: string): Promise<string>;
  /** A local path holding the content of `hash` (read-only). */
  path(hash: string): string;
  has(hash: string): Promise<boolean>;
}

export class LocalStore implements ArtifactStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  path(hash: string): string {
    return path.join(this.#root, hash.slice(0, 2), hash);
  }

  async has(hash: string): Promise<boolean> {
    return (await stat(this.path(hash)).catch(() => undefined))?.isFile() ?? false;
  }

  async put(file: string): Promise<string> {
    const hash = await hashFile(file);
    const target = this.path(hash);
    // An object already stored is kept only if it still holds its content: a damaged one is replaced.
    if ((await this.has(hash)) && (await hashFile(target)) === hash) {
      await unlink(file);
      return hash;
    }
    await mkdir(path.dirname(target), { recursive: true });
    // Read-only so that a rule, or a user editing a published link, cannot corrupt a stored artifact.
    await chmod(file, 0o444);
    await rename(file, target);
    return hash;
  }
}
