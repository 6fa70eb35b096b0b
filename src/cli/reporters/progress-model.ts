import type { EngineEvent, RunSummary } from '../../engine/events.ts';

export interface RunningBuild {
  item: string | null;
  startedAt: number;
  done: number;
  total: number;
  unit: string;
}

export interface RuleProgress {
  rule: string;
  total: number;
  fresh: number;
  ran: number;
  restored: number;
  failed: number;
  skipped: number;
  running: RunningBuild[];
  /** When its first build started running, for the rate. */
  firstStartAt?: number;
}

export interface Failure {
  rule: string;
  item: string | null;
  error: string;
}

/** Progress of a run, folded from engine events; the renderers only read it. */
export class ProgressModel {
  readonly startedAt = Date.now();
  readonly rules = new Map<string, RuleProgress>();
  readonly failures: Failure[] = [];
  summary: RunSummary | undefined;
  endedAt: number | undefined;

  #rule(name: string): RuleProgress {
    let rule = this.rules.get(name);
    if (!rule) {
      rule = { rule: name, total: 0, fresh: 0, ran: 0, restored: 0, failed: 0, skipped: 0, running: [] };
      this.rules.set(name, rule);
    }
    return rule;
  }

  apply(event: EngineEvent): void {
    switch (event.type) {
      case 'run-start':
        for (const build of event.builds) this.#rule(build.rule).total++;
        return;
      case 'run-end':
        this.summary = event.summary;
        this.endedAt = Date.now();
        return;
    }
    const rule = this.#rule(event.rule);
    const stopRunning = () => (rule.running = rule.running.filter((b) => b.item !== event.item));
    switch (event.type) {
      case 'build-fresh':
        rule.fresh++;
        break;
      case 'build-restored':
        rule.restored++;
        break;
      case 'build-start':
        rule.firstStartAt ??= Date.now();
        rule.running.push({ item: event.item, startedAt: Date.now(), done: 0, total: 0, unit: '' });
        break;
      case 'build-progress': {
        const running = rule.running.find((b) => b.item === event.item);
        if (running) Object.assign(running, { done: event.done, total: event.total, unit: event.unit });
        break;
      }
      case 'build-done':
        rule.ran++;
        stopRunning();
        break;
      case 'build-failed':
        rule.failed++;
        stopRunning();
        this.failures.push({ rule: event.rule, item: event.item, error: event.error });
        break;
      case 'build-skipped':
        rule.skipped++;
        break;
      case 'build-log':
        break;
    }
  }

  /** Builds of this rule that finished running per second since its first one started. */
  static rate(rule: RuleProgress, now: number): number | undefined {
    if (rule.firstStartAt === undefined || rule.ran === 0) return undefined;
    return rule.ran / Math.max(0.001, (now - rule.firstStartAt) / 1000);
  }

  /** Seconds until the rule's remaining builds are done at the current rate. */
  static eta(rule: RuleProgress, now: number): number | undefined {
    const rate = ProgressModel.rate(rule, now);
    const settled = rule.fresh + rule.ran + rule.restored + rule.failed + rule.skipped;
    return rate === undefined ? undefined : (rule.total - settled) / rate;
  }
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function describeBuild(rule: string, item: string | null): string {
  return item === null ? rule : `${rule}@${item}`;
}

export function summaryLine(summary: RunSummary, ms: number): string {
  const parts = [`${summary.ran} ran`, `${summary.restored} restored from cache`, `${summary.fresh} fresh`];
  if (summary.failed) parts.push(`${summary.failed} failed`);
  if (summary.skipped) parts.push(`${summary.skipped} skipped after a failure`);
  return `vbuild: ${parts.join(', ')} in ${formatDuration(ms / 1000)}`;
}
