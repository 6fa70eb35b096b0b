import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/events.ts';
import { plainReporter } from '../../src/cli/reporters/console.ts';
import { ProgressModel } from '../../src/cli/reporters/progress-model.ts';
import { statusFileReporter, type StatusSnapshot } from '../../src/cli/reporters/status-file.ts';

const run: EngineEvent[] = [
  { type: 'run-start', builds: [{ rule: 'detect', item: 'a.mp4' }, { rule: 'detect', item: 'b.mp4' }, { rule: 'report', item: null }], jobs: 2 },
  { type: 'build-fresh', rule: 'detect', item: 'a.mp4' },
  { type: 'build-start', rule: 'detect', item: 'b.mp4', reasons: ['param sample_fps: 2 -> 4'] },
  { type: 'build-progress', rule: 'detect', item: 'b.mp4', done: 10, total: 40, unit: 'frames' },
];

describe('reporters render engine events', () => {
  it('the progress model counts per rule and tracks running builds', () => {
    const model = new ProgressModel();
    for (const event of run) model.apply(event);
    const detect = model.rules.get('detect')!;
    expect(detect).toMatchObject({ total: 2, fresh: 1, ran: 0 });
    expect(detect.running).toMatchObject([{ item: 'b.mp4', done: 10, total: 40, unit: 'frames' }]);
    model.apply({ type: 'build-failed', rule: 'detect', item: 'b.mp4', error: 'decode failed' });
    model.apply({ type: 'build-skipped', rule: 'report', item: null, failedBuild: 'detect@b.mp4' });
    expect(detect.running).toEqual([]);
    expect(model.failures).toEqual([{ rule: 'detect', item: 'b.mp4', error: 'decode failed' }]);
    expect(model.rules.get('report')).toMatchObject({ total: 1, skipped: 1 });
  });

  it('rate and ETA come from finished builds of the rule', () => {
    const rule = { rule: 'x', total: 10, fresh: 0, ran: 4, restored: 0, failed: 0, skipped: 0, running: [], firstStartAt: 0 };
    expect(ProgressModel.rate(rule, 2000)).toBe(2);
    expect(ProgressModel.eta(rule, 2000)).toBe(3);
    expect(ProgressModel.rate({ ...rule, ran: 0 }, 2000)).toBeUndefined();
  });

  it('plain lines say what ran and why, and the summary', () => {
    const lines: string[] = [];
    const report = plainReporter((text) => lines.push(text));
    for (const event of run) report(event);
    report({ type: 'build-done', rule: 'detect', item: 'b.mp4', ms: 2500, unchanged: true });
    report({ type: 'run-end', ms: 3000, summary: { fresh: 1, ran: 1, restored: 0, failed: 0, skipped: 0 } });
    expect(lines).toEqual([
      '[detect] b.mp4: running (param sample_fps: 2 -> 4)\n',
      '[detect] b.mp4: 10/40 frames\n',
      '[detect] b.mp4: done in 2.5s (output unchanged)\n',
      'vbuild: 1 ran, 0 restored from cache, 1 fresh in 3.0s\n',
    ]);
  });

  it('caps the reasons a line lists, so a batch build over many inputs stays one readable line', () => {
    const lines: string[] = [];
    const report = plainReporter((text) => lines.push(text));
    const reasons = Array.from({ length: 50 }, (_, i) => `input changed: score/video_${String(i).padStart(4, '0')}.mp4/segments.json`);
    report({ type: 'build-start', rule: 'report', item: null, reasons });
    report({ type: 'build-restored', rule: 'report', item: null, reasons });
    for (const line of lines) {
      expect(line).toContain('video_0007.mp4/segments.json and 42 more)');
      expect(line).not.toContain('video_0008');
      expect(line.length).toBeLessThan(700);
    }
  });

  it('the status file holds the last snapshot once stop() resolves, and no temp file is left', async () => {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'vbuild-status-'));
    const file = path.join(folder, 'status.json');
    const status = statusFileReporter(file);
    // Events come faster than writes land: each is applied, the writes do not pile up.
    for (const event of run) status.onEvent(event);
    status.onEvent({ type: 'build-done', rule: 'detect', item: 'b.mp4', ms: 2500, unchanged: false });
    status.onEvent({ type: 'run-end', ms: 3000, summary: { fresh: 1, ran: 1, restored: 0, failed: 0, skipped: 0 } });
    await status.stop();
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as StatusSnapshot;
    expect(snapshot.endedAt).not.toBeNull();
    expect(snapshot.rules.find((rule) => rule.rule === 'detect')).toMatchObject({ fresh: 1, ran: 1, running: [] });
    expect(readdirSync(folder)).toEqual(['status.json']);
  });

  it('a status file that cannot be written leaves the build going', async () => {
    const status = statusFileReporter(path.join(os.tmpdir(), 'vbuild-no-such-folder', 'status.json'));
    for (const event of run) status.onEvent(event);
    await expect(status.stop()).resolves.toBeUndefined();
  });
});
