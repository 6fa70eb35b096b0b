import { readFile } from 'node:fs/promises';
import { paramReader } from './config.ts';
import type { BuildContext, Item, ParamReader, Rule, VideoBuildContext } from './rule.ts';

/**
 * What every rule is given to read its params and its dependencies' files: `ctx.param`,
 * `ctx.depFile`, `ctx.readJson`. They read `from` when called, so a context whose params or
 * deps are set after it is made (a test's) reads those.
 */
export function contextReaders(
  rule: Pick<Rule, 'name' | 'params'>,
  from: Pick<BuildContext, 'params' | 'deps' | 'batch'>,
): Pick<BuildContext, 'param' | 'depFile' | 'readJson'> {
  const param: ParamReader = {
    number: (name) => paramReader(rule.params, from.params).number(name),
    string: (name) => paramReader(rule.params, from.params).string(name),
    boolean: (name) => paramReader(rule.params, from.params).boolean(name),
  };
  return {
    param,
    depFile(dep, name, item) {
      const artifact = item === undefined ? from.deps[dep] : from.batch[dep]?.[item];
      const file = artifact?.files[name];
      if (!file) throw new Error(`${rule.name} needs ${name} from ${dep}${item === undefined ? '' : ` of ${item}`}`);
      return file;
    },
    async readJson<T>(file: string) {
      return JSON.parse(await readFile(file, 'utf8')) as T;
    },
  };
}

/** What an executor knows of a build's context before the readers and the item are added. */
export type ContextFields = Omit<VideoBuildContext, 'param' | 'depFile' | 'readJson' | 'item' | 'itemHash'>;

/**
 * The context a rule runs with, whoever runs it (the engine in process, a distributed worker): the
 * readers added, and the item set for a per-video rule, null for a batch rule.
 */
export function buildContext(rule: Pick<Rule, 'name' | 'params'>, fields: ContextFields, item: Item | null, itemHash: string | null): BuildContext {
  const shared = { ...fields, ...contextReaders(rule, fields) };
  if (item === null) return { ...shared, item: null, itemHash: null };
  // A per-video rule's item is hashed before it runs; a file gone by then cannot be built.
  if (itemHash === null) throw new Error(`input ${item.path} is missing or not a regular file`);
  return { ...shared, item, itemHash };
}
