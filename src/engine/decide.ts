import path from 'node:path';
import { buildKey, type Fingerprint, ITEM_INPUT, staleReasons } from './fingerprint.ts';
import type { BuildNode } from './graph.ts';
import { brokenPublished } from './publish.ts';
import type { Artifact, FailedInput, ParamSpec, ParamValue, Rule } from './rule.ts';
import { editable, type RunScope } from './run-scope.ts';
import type { Outputs, Trace } from './state.ts';

/** What a build will do, and why: fresh, restored from its trace or the run cache, or run. */
export interface Decision {
  fingerprint: Fingerprint;
  key: string;
  trace: Trace | undefined;
  reasons: string[];
  action: 'fresh' | 'restore' | 'run';
  /** The outputs a fresh or restored build has already. */
  outputs?: Outputs;
}

/**
 * Compares a build's key with its trace: same key and outputs intact is fresh (restored when
 * only published files are missing); otherwise the stale reasons, and the run cache decides
 * between restoring and running.
 */
export async function decide(scope: RunScope, node: BuildNode, depOutputs: readonly Outputs[], failed: readonly FailedInput[] = []): Promise<Decision> {
  const { state } = scope;
  const fingerprint = await fingerprintOf(scope, node, depOutputs, failed);
  const key = await buildKey(fingerprint);
  const trace = state.traces.get(scope.traceKey(node));
  const decision = { fingerprint, key, trace };
  if (trace?.key === key) {
    const broken = await brokenOutputs(scope, trace.outputs);
    if (broken.length > 0) return { ...decision, action: 'run', reasons: broken.map((p) => `output missing: ${p}`) };
    const root = scope.publishRoot(node);
    const unpublished = await brokenPublished(root, trace.published, editable(node));
    if (unpublished.length > 0) {
      const reasons = unpublished.map((p) => `output missing: ${path.join(root, p)}`);
      return { ...decision, action: 'restore', reasons, outputs: trace.outputs };
    }
    return { ...decision, action: 'fresh', reasons: [], outputs: trace.outputs };
  }
  const reasons = trace ? staleReasons(trace.fingerprint, fingerprint, node.item?.id) : ['never built'];
  const cached = state.runs.get(key);
  if (cached && (await brokenOutputs(scope, cached.outputs)).length === 0) {
    return { ...decision, action: 'restore', reasons, outputs: cached.outputs };
  }
  return { ...decision, action: 'run', reasons };
}

async function fingerprintOf(scope: RunScope, node: BuildNode, depOutputs: readonly Outputs[], failed: readonly FailedInput[]): Promise<Fingerprint> {
  const { rule, item } = node;
  const { statCache, root: cacheDir } = scope.state;
  const inputs: Record<string, string> = {};
  if (item && rule.readsItem !== false) {
    const hash = await scope.itemHash(item);
    if (hash === undefined) throw new Error(`input ${item.path} is missing or not a regular file`);
    inputs[ITEM_INPUT] = hash;
  }
  node.deps.forEach((dep, i) => {
    const prefix = dep.item && !item ? `${dep.rule.name}@${dep.item.id}` : dep.rule.name;
    for (const [name, hash] of Object.entries(readOutputs(rule, dep.rule.name, depOutputs[i]!))) {
      inputs[`${prefix}/${name}`] = hash;
    }
  });
  const params = scope.ruleParams(rule);
  const keyed = Object.fromEntries(Object.entries(params).filter(([name, value]) => inKey(rule.params?.[name], value)));
  for (const file of (await rule.extraInputs?.(params, { cacheDir })) ?? []) {
    const hash = await statCache.hash(path.resolve(file));
    if (hash === undefined) throw new Error(`rule ${rule.name}: input file ${file} is missing`);
    let label = `extra ${path.basename(file)}`;
    for (let n = 2; label in inputs; n++) label = `extra ${path.basename(file)} #${n}`;
    inputs[label] = hash;
  }
  const batchDir = scope.batchDir(node);
  const namesItem = typeof rule.readsItemId === 'function' ? rule.readsItemId(params) : rule.readsItemId === true;
  return {
    rule: rule.name,
    version: rule.version,
    params: keyed,
    inputs,
    ...(item && namesItem && { itemId: item.id }),
    ...(batchDir !== '' && { batchDir }),
    ...(failed.length > 0 && { failed: Object.fromEntries(failed.map((input) => [input.item, `${input.build}: ${input.error}`])) }),
  };
}

/** Whether a param's value joins the build key (ParamSpec.inKey). */
function inKey(spec: ParamSpec | undefined, value: ParamValue): boolean {
  return spec?.inKey === 'unless-default' ? value !== spec.default : spec?.inKey !== false;
}

/** Stored outputs that are gone or whose content no longer matches their hash. */
async function brokenOutputs(scope: RunScope, outputs: Outputs): Promise<string[]> {
  const { store, statCache } = scope.state;
  const broken: string[] = [];
  for (const hash of Object.values(outputs)) {
    const file = store.path(hash);
    if ((await statCache.hash(file)) !== hash) broken.push(file);
  }
  return broken;
}

/** The outputs of dependency `dep` that `rule` reads: those its `reads` names, else all. */
function readOutputs(rule: Rule, dep: string, outputs: Outputs): Outputs {
  const names = rule.reads?.[dep];
  if (!names) return outputs;
  return Object.fromEntries(Object.entries(outputs).filter(([name]) => names.includes(name)));
}

/** What a build's context shows of its dependencies' outputs (ctx.deps, and ctx.batch for a batch rule). */
export function dependencyArtifacts(scope: RunScope, node: BuildNode, depOutputs: readonly Outputs[]) {
  const { store } = scope.state;
  const toArtifact = (outputs: Outputs): Artifact => ({
    hashes: { ...outputs },
    files: Object.fromEntries(Object.entries(outputs).map(([name, hash]) => [name, store.path(hash)])),
  });
  const deps: Record<string, Artifact> = {};
  const batch: Record<string, Record<string, Artifact>> = {};
  node.deps.forEach((dep, i) => {
    const artifact = toArtifact(readOutputs(node.rule, dep.rule.name, depOutputs[i]!));
    if (dep.item && !node.item) (batch[dep.rule.name] ??= {})[dep.item.id] = artifact;
    else deps[dep.rule.name] = artifact;
  });
  return { deps, batch };
}
