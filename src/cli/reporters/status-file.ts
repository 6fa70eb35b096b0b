import { rename, rm, writeFile } from 'node:fs/promises';
import type { EngineEvent } from '../../engine/events.ts';
import { ProgressModel, type RuleProgress } from './progress-model.ts';

export interface StatusSnapshot {
  pid: number;
  command: string;
  startedAt: string;
  updatedAt: string;
  endedAt: string | null;
  rules: (Omit<RuleProgress, 'firstStartAt'> & { ratePerSec: number | null; etaSec: number | null })[];
  failures: ProgressModel['failures'];
}

/**
 * Keeps `file` (a small, fixed-size snapshot, rewritten whole by temp + rename) up to date for
 * `vbuild status` in another terminal; at most a few writes a second, one at a time.
 *
 * The writes are asynchronous: a rename over the previous snapshot makes ext4 write the new one
 * out first, which blocked the main thread, and with it every frame passing through it, for
 * 1.7 s of a 37 s corpus run (docs/analysis/pipeline.md, session 12). The snapshot is advisory:
 * a write that fails (a full disk) is dropped and the build goes on.
 */
export function statusFileReporter(file: string): { onEvent: (event: EngineEvent) => void; stop: () => Promise<void> } {
  const model = new ProgressModel();
  const tmp = `${file}.${process.pid}.tmp`;
  let dirty = false;
  let writing: Promise<void> | undefined;
  const snapshot = (): StatusSnapshot => {
    const now = Date.now();
    return {
      pid: process.pid,
      command: process.argv.slice(2).join(' '),
      startedAt: new Date(model.startedAt).toISOString(),
      updatedAt: new Date(now).toISOString(),
      endedAt: model.endedAt ? new Date(model.endedAt).toISOString() : null,
      rules: [...model.rules.values()].map(({ firstStartAt: _, ...rule }) => ({
        ...rule,
        ratePerSec: ProgressModel.rate(model.rules.get(rule.rule)!, now) ?? null,
        etaSec: ProgressModel.eta(model.rules.get(rule.rule)!, now) ?? null,
      })),
      failures: model.failures,
    };
  };
  // While one write is under way the next waits for the timer: `dirty` stays set.
  const write = () => {
    if (writing) return;
    dirty = false;
    writing = writeFile(tmp, JSON.stringify(snapshot(), null, 1))
      .then(() => rename(tmp, file))
      .catch(() => rm(tmp, { force: true }).catch(() => undefined))
      .finally(() => {
        writing = undefined;
      });
  };
  const timer = setInterval(() => dirty && write(), 500);
  timer.unref();
  return {
    onEvent(event) {
      model.apply(event);
      dirty = true;
      if (event.type === 'run-start' || event.type === 'run-end') write();
    },
    async stop() {
      clearInterval(timer);
      await writing;
      if (!dirty) return;
      write();
      await writing;
    },
  };
}
