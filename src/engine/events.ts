/** Everything the engine reports. Reporters (progress, logs, status file) render these; the engine never prints. */
export type BuildId = { rule: string; item: string | null };

export type EngineEvent =
  | { type: 'run-start'; builds: BuildId[]; jobs: number }
  | ({ type: 'build-fresh' } & BuildId)
  | ({ type: 'build-start'; reasons: string[] } & BuildId)
  | ({ type: 'build-restored'; reasons: string[] } & BuildId)
  | ({ type: 'build-progress'; done: number; total: number; unit: string } & BuildId)
  | ({ type: 'build-log'; message: string } & BuildId)
  | ({ type: 'build-done'; ms: number; unchanged: boolean } & BuildId)
  | ({ type: 'build-failed'; error: string } & BuildId)
  /** `failedBuild`: the build (`rule@item`) whose failure this one waited on. */
  | ({ type: 'build-skipped'; failedBuild: string } & BuildId)
  | { type: 'run-end'; ms: number; summary: RunSummary };

export interface RunSummary {
  fresh: number;
  ran: number;
  restored: number;
  failed: number;
  skipped: number;
}

export type EventListener = (event: EngineEvent) => void;
