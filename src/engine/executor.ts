import type { BuildContext, Rule } from './rule.ts';

/**
 * Runs one build given its context. The seam where a distributed queue can take over:
 * a rule's run depends only on its context (declared inputs and params).
 */
export interface Executor {
  execute(rule: Rule, ctx: BuildContext): Promise<void>;
}

export const inProcessExecutor: Executor = {
  execute: (rule, ctx) => rule.run(ctx),
};
