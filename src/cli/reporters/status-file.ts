import { renameSync, writeFileSync } from 'node:fs';
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
 * `vbuild status` in another terminal; at most a few writes a second.
 */
export function statusFileReporter(file: string): { onEvent: (event: EngineEvent) => void; stop: () => void } {
  const model = new ProgressModel();
  let dirty = false;
  const write = () => {
    dirty = false;
    const now = Date.now();
    const snapshot: StatusSnapshot = {
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
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot, null, 1));
    renameSync(tmp, file);
  };
  const timer = setInterval(() => dirty && write(), 500);
  timer.unref();
  return {
    onEvent(event) {
      model.apply(event);
      dirty = true;
      if (event.type === 'run-start' || event.type === 'run-end') write();
    },
    stop() {
      clearInterval(timer);
      if (dirty) write();
    },
  };
}
