import { mkdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { Fingerprint } from './fingerprint.ts';
import { JsonlTable } from './jsonl-table.ts';
import type { Published } from './publish.ts';
import { StatCache, type StatEntry } from './stat-cache.ts';
import { type ArtifactStore, LocalStore } from './store.ts';

/** Output file name -> content hash. */
export type Outputs = Record<string, string>;

/** What the engine remembers of the last build of one (rule, item). */
export interface Trace {
  key: string;
  fingerprint: Fingerprint;
  outputs: Outputs;
  /** Files linked into the output folder: path relative to it -> stored path. */
  published: Published;
  builtAt: string;
}

/** A finished build's outputs by key: going back to earlier params restores them without running. */
export interface RunRecord {
  rule: string;
  item: string | null;
  outputs: Outputs;
  /** When it was last built or restored (absent in caches from before it was kept): what `gc --older-than` reads. */
  usedAt?: string;
}

/** The cache folder's layout and its persistent tables. */
export class CacheState {
  readonly root: string;
  readonly store: ArtifactStore;
  readonly traces: JsonlTable<Trace>;
  readonly runs: JsonlTable<RunRecord>;
  readonly statCache: StatCache;
  readonly #statTable: JsonlTable<StatEntry>;

  private constructor(root: string, readOnly: boolean, verify: boolean) {
    this.root = root;
    if (!readOnly) mkdirSync(root, { recursive: true });
    this.store = new LocalStore(this.objectsDir);
    this.traces = JsonlTable.load<Trace>(path.join(root, 'traces.jsonl'), { readOnly });
    this.runs = JsonlTable.load<RunRecord>(path.join(root, 'runs.jsonl'), { readOnly });
    this.#statTable = JsonlTable.load<StatEntry>(path.join(root, 'stat-cache.jsonl'), { readOnly });
    this.statCache = new StatCache(this.#statTable, { verify });
  }

  /**
   * `readOnly` loads the tables without ever writing: what a dry run or `cat` needs.
   * `verify` re-hashes every file once instead of trusting its size and mtime.
   */
  static open(root: string, { readOnly = false, verify = false } = {}): CacheState {
    return new CacheState(path.resolve(root), readOnly, verify);
  }

  get objectsDir(): string {
    return path.join(this.root, 'objects');
  }
  /** Staging folders of running builds; anything here at start-up belongs to a killed run. */
  get tmpDir(): string {
    return path.join(this.root, 'tmp');
  }
  /** Journals of resumable builds, by build key; they outlive a killed run. */
  get workRoot(): string {
    return path.join(this.root, 'work');
  }
  workDir(key: string): string {
    return path.join(this.workRoot, key);
  }
  get lockFile(): string {
    return CacheState.lockFileOf(this.root);
  }
  /** The lock is taken before the state is opened, so its place is known from the folder alone. */
  static lockFileOf(root: string): string {
    return path.join(path.resolve(root), 'vbuild.lock');
  }
  get statusFile(): string {
    return path.join(this.root, 'status.json');
  }

  /** Removes staging folders of killed runs; only call while holding the lock. */
  async clearStaging(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
  }

  /** `batchDir`: a filtered run's batch builds are traced apart from the whole folder's (see EngineOptions.selectionDir). */
  static traceKey(rule: string, item: string | null, batchDir = ''): string {
    const key = `${rule}\u0000${item ?? ''}`;
    return batchDir === '' ? key : `${key}\u0000${batchDir}`;
  }

  static parseTraceKey(key: string): { rule: string; item: string | null; batchDir: string } {
    const [rule, item, batchDir = ''] = key.split('\u0000') as [string, string, string?];
    return { rule, item: item === '' ? null : item, batchDir };
  }

  close(): void {
    for (const table of [this.traces, this.runs, this.#statTable]) {
      table.compactIfBloated(this.tmpDir);
      table.close();
    }
  }
}
