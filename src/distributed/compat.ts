import { canonicalJson, hashString } from '../engine/hash.ts';
import type { Rule } from '../engine/rule.ts';

/**
 * What a worker's config must share with the coordinator's for a job to mean the same on both:
 * the rules' names, versions, graph and param declarations. Param values are not in it (the job
 * carries them), nor docs; the code behind a rule is covered by its version and vbuild's.
 */
export function configHash(rules: readonly Rule[]): Promise<string> {
  const described = rules.map((rule) => ({
    name: rule.name,
    per: rule.per,
    version: rule.version,
    deps: rule.deps ?? [],
    reads: rule.reads ?? null,
    params: Object.fromEntries(
      Object.entries(rule.params ?? {}).map(([name, { doc: _doc, ...spec }]) => [name, spec]),
    ),
  }));
  return hashString(canonicalJson(described));
}

/** The versions a job was made under; a worker runs it only when its own are the same. */
export interface Compatibility {
  vbuild: string;
  ruleVersion: string | number;
  configHash: string;
}

/** Why a worker with `own` must not run a job made under `job`; undefined when it may. */
export function incompatibility(job: Compatibility, own: Compatibility): string | undefined {
  if (job.vbuild !== own.vbuild) return `vbuild ${own.vbuild} here, the coordinator runs ${job.vbuild}`;
  if (job.ruleVersion !== own.ruleVersion) return `rule version ${String(own.ruleVersion)} here, the coordinator's is ${String(job.ruleVersion)}`;
  if (job.configHash !== own.configHash) return `config hash ${own.configHash} here, the coordinator's is ${job.configHash} (the rules or their params differ)`;
  return undefined;
}
