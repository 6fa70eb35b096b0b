import { type BuildContext, type ResourceClaim, type Rule, runRule } from './rule.ts';

/**
 * Runs one build given its context: the seam where a distributed queue (or an executor that
 * fuses several builds' work, such as one decode for many rules) can take over.
 *
 * A rule's run depends only on its context: declared inputs (`ctx.deps`, `ctx.batch`, the item's
 * file), params and `ctx.cacheDir`'s derived data. The engine has decided that the build must run,
 * holds its resource claim for as long as `execute` runs, and afterwards moves what is in
 * `ctx.outDir` (and the journals opened through `ctx.journal`) into the store. So an executor that
 * runs the rule elsewhere must:
 * - resolve only once every output file is in `ctx.outDir` (a local folder) and every journal
 *   record has been appended through `ctx.journal`;
 * - reject to fail the build (the error's message is what the user sees); never record anything
 *   itself: traces, the run cache and publishing stay the engine's;
 * - stop promptly when `ctx.signal` aborts;
 * - forward `ctx.progress` and `ctx.log` calls if it wants them shown.
 *
 * `build` says what the engine knows of the build beyond its context: its key (which names the
 * folder of its journals, `work/<key>`, so that a build resumed elsewhere continues them) and
 * the resources it claims (where it may run).
 */
export interface Executor {
  execute(rule: Rule, ctx: BuildContext, build: BuildTicket): Promise<void>;
  /**
   * True when the rule runs in this process on the very context it is given, so that builds
   * started together can meet through `ctx.sharedSource`. Without it the engine starts every
   * build on its own (a build sent to another machine could not meet the ones left here).
   */
  readonly sharesSources?: boolean;
}

export interface BuildTicket {
  key: string;
  claim: ResourceClaim;
}

/** Runs the rule in this process. */
export const inProcessExecutor: Executor = {
  execute: runRule,
  sharesSources: true,
};
