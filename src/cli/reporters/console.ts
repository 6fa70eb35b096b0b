import type { EngineEvent } from '../../engine/events.ts';
import { capList } from '../lists.ts';
import { describeBuild, formatDuration, ProgressModel, summaryLine } from './progress-model.ts';

type Write = (text: string) => void;

/**
 * Plain lines for logs and pipes: what started, finished, failed, and why. Builds skipped after a
 * failure are only counted in the summary: the failure's own line already names the input.
 */
export function plainReporter(write: Write): (event: EngineEvent) => void {
  const lastProgress = new Map<string, number>();
  return (event) => {
    switch (event.type) {
      case 'build-start':
        write(`[${event.rule}] ${event.item ?? '(batch)'}: running (${capList(event.reasons, 8, '; ')})\n`);
        break;
      case 'build-restored':
        write(`[${event.rule}] ${event.item ?? '(batch)'}: restored from the run cache (${capList(event.reasons, 8, '; ')})\n`);
        break;
      case 'build-done':
        write(`[${event.rule}] ${event.item ?? '(batch)'}: done in ${formatDuration(event.ms / 1000)}${event.unchanged ? ' (output unchanged)' : ''}\n`);
        break;
      case 'build-failed':
        write(`[${event.rule}] ${event.item ?? '(batch)'}: FAILED: ${event.error}\n`);
        break;
      case 'build-log':
        write(`[${event.rule}] ${event.item ?? '(batch)'}: ${event.message}\n`);
        break;
      case 'build-progress': {
        // Long builds say how far they are, at most every 10 seconds.
        const id = describeBuild(event.rule, event.item);
        const now = Date.now();
        if (now - (lastProgress.get(id) ?? 0) < 10_000) break;
        lastProgress.set(id, now);
        write(`[${event.rule}] ${event.item ?? '(batch)'}: ${event.done}${event.total > 0 ? `/${event.total}` : ''} ${event.unit}\n`);
        break;
      }
      case 'run-end':
        write(summaryLine(event.summary, event.ms) + '\n');
        break;
    }
  };
}

/** A live table on a terminal: per rule done/total, running builds, rate and ETA. */
export function ttyReporter(stream: NodeJS.WriteStream): { onEvent: (event: EngineEvent) => void; stop: () => void } {
  const model = new ProgressModel();
  let drawn = 0;
  const erase = () => {
    if (drawn > 0) stream.write(`\x1b[${drawn}A\x1b[0J`);
    drawn = 0;
  };
  const draw = () => {
    erase();
    const now = Date.now();
    const lines: string[] = [];
    for (const rule of model.rules.values()) {
      const settled = rule.fresh + rule.ran + rule.restored + rule.failed + rule.skipped;
      const rate = ProgressModel.rate(rule, now);
      const eta = ProgressModel.eta(rule, now);
      let line = `${rule.rule.padEnd(12)} ${String(settled).padStart(5)}/${rule.total}`;
      if (rule.failed) line += `  ${rule.failed} failed`;
      if (rate !== undefined && settled < rule.total) line += `  ${rate.toFixed(2)}/s  eta ${formatDuration(eta!)}`;
      for (const running of rule.running.slice(0, 3)) {
        const part = running.unit ? ` ${running.done}${running.total > 0 ? `/${running.total}` : ''} ${running.unit}` : '';
        line += `  [${running.item ?? 'batch'}${part}]`;
      }
      if (rule.running.length > 3) line += ` +${rule.running.length - 3}`;
      lines.push(line.slice(0, (stream.columns || 120) - 1));
    }
    stream.write(lines.map((l) => l + '\n').join(''));
    drawn = lines.length;
  };
  const timer = setInterval(draw, 200);
  timer.unref();
  return {
    onEvent(event) {
      model.apply(event);
      if (event.type === 'build-failed') {
        erase();
        stream.write(`[${event.rule}] ${event.item ?? '(batch)'}: FAILED: ${event.error}\n`);
      }
      if (event.type === 'build-log') {
        erase();
        stream.write(`[${event.rule}] ${event.item ?? '(batch)'}: ${event.message}\n`);
      }
      if (event.type === 'run-end') {
        draw();
        stream.write(summaryLine(event.summary, event.ms) + '\n');
        drawn = 0;
      }
    },
    stop() {
      clearInterval(timer);
    },
  };
}
