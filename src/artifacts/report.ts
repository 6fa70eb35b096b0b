/** What the report rule writes: plan.json (every clip with its provenance) and the report page. */
import type { PlanClip, Totals } from '../report/model.ts';

export const PLAN_FILE = 'plan.json';
export const REPORT_PAGE = 'report/index.html';

export interface PlanFile {
  version: 1;
  /** The params the clips were made with: the score rule's, the cut rule's and the report's. */
  params: Record<string, unknown>;
  totals: Totals;
  clips: PlanClip[];
  /** Inputs that have no clips because one of their builds failed: the file, which build, and why. */
  failed: FailedSource[];
}

export interface FailedSource {
  source: string;
  /** The build that failed: `rule@file`. */
  build: string;
  reason: string;
}
