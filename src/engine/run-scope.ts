import path from 'node:path';
import type { BuildNode } from './graph.ts';
import type { Editable } from './publish.ts';
import type { Item, ParamValue, Rule } from './rule.ts';
import { CacheState } from './state.ts';

/** What one run of the engine is over: the part of EngineOptions that deciding, recording and gc read. */
export interface RunScopeOptions {
  /** Rules in dependency order (from validateConfig). */
  rules: readonly Rule[];
  state: CacheState;
  /** Absolute output folder for published files. */
  outputDir: string;
  items: readonly Item[];
  /** Resolved values of every declared param. */
  params: Record<string, ParamValue>;
  /**
   * Set when `items` are a selection of the inputs: batch builds, over the selection alone, are
   * then published under `<outputDir>/<selectionDir>/` and traced apart, so the whole folder's
   * batch outputs stay as they are (a batch rule's `ctx.batchDir`).
   */
  selectionDir?: string;
}

/**
 * The run's options and the answers every stage asks of them: a build's params, where its
 * outputs are published, under which key it is traced, its item's content hash (read once a run).
 */
export class RunScope {
  readonly options: RunScopeOptions;
  readonly #itemHashes = new Map<string, Promise<string | undefined>>();

  constructor(options: RunScopeOptions) {
    this.options = options;
  }

  get state(): CacheState {
    return this.options.state;
  }

  /** The values of the params `rule` declares. */
  ruleParams(rule: Rule): Record<string, ParamValue> {
    const values: Record<string, ParamValue> = {};
    for (const name of Object.keys(rule.params ?? {})) values[name] = this.options.params[name]!;
    return values;
  }

  /** A batch build's folder under the output folder: the selection's in a filtered run. */
  batchDir(node: BuildNode): string {
    return node.item === null ? (this.options.selectionDir ?? '') : '';
  }

  publishRoot(node: BuildNode): string {
    return path.join(this.options.outputDir, this.batchDir(node));
  }

  /** A filtered run's batch builds are traced apart from the whole folder's. */
  traceKey(node: BuildNode): string {
    return CacheState.traceKey(node.rule.name, node.item?.id ?? null, this.batchDir(node));
  }

  /** The content hash of an item's file as the run first read it; undefined when it is missing. */
  itemHash(item: Item): Promise<string | undefined> {
    let hash = this.#itemHashes.get(item.id);
    if (!hash) {
      hash = this.state.statCache.hash(item.path);
      this.#itemHashes.set(item.id, hash);
    }
    return hash;
  }
}

/** The published paths of a build (relative to its publish root) that are the rule's editable outputs. */
export function editable(node: BuildNode): Editable {
  const { rule } = node;
  if (!rule.editable || !rule.publish) return () => false;
  const dir = rule.publish(node.item);
  return (rel) => rule.editable!(path.relative(dir, rel).split(path.sep).join('/'));
}
