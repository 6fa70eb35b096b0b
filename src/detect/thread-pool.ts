/**
 * Analysis threads kept between the videos of one run: starting one (tsx in the worker, then the
 * models) costs about half a second, once per video otherwise. Idle threads do not keep the
 * process alive.
 */

import type { AnalysisSettings } from './analysis-protocol.ts';
import { startAnalysisThread, type AnalysisThread } from './analysis-thread.ts';

const idle = new Map<string, AnalysisThread[]>();

export async function borrowAnalysisThread(settings: AnalysisSettings): Promise<AnalysisThread> {
  const thread = idle.get(JSON.stringify(settings))?.pop() ?? (await startAnalysisThread(settings));
  thread.keepAlive(true);
  return thread;
}

/** Gives a thread back for the next video with the same settings; a broken one is closed instead. */
export async function returnAnalysisThread(settings: AnalysisSettings, thread: AnalysisThread): Promise<void> {
  if (thread.broken) return thread.close();
  thread.keepAlive(false);
  const key = JSON.stringify(settings);
  idle.set(key, [...(idle.get(key) ?? []), thread]);
}
