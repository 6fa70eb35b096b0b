import { isOutputName } from '../engine/build.ts';
import type { FailedInput, Item, ParamValue } from '../engine/rule.ts';
import type { Compatibility } from './compat.ts';

/** Output name -> content hash: a dependency's outputs as a job names them (a worker finds them in its own store). */
export type HashedOutputs = Record<string, string>;

/**
 * One build as it travels to a worker: names, params, hashes and paths, never code. The worker
 * runs the rule of its own installed vbuild and config.
 */
export interface BuildJob extends Compatibility {
  /** The job format; a worker refuses one it does not know. */
  format: typeof JOB_FORMAT;
  /** The store the coordinator uses (its `store-id`): a worker with another cache refuses. */
  storeId: string;
  coordinator: string;
  rule: string;
  key: string;
  item: Item | null;
  itemHash: string | null;
  items: Item[];
  failed: FailedInput[];
  batchDir: string;
  params: Record<string, ParamValue>;
  deps: Record<string, HashedOutputs>;
  batch: Record<string, Record<string, HashedOutputs>>;
}

export const JOB_FORMAT = 1;

/** What a worker hands back: the folder under the shared cache's staged/ holding the outputs, and the journals it wrote. */
export interface JobResult {
  staged: string;
  journals: string[];
  host: string;
}

/** Progress a worker reports while it runs a job (BullMQ's job progress carries it to the coordinator). */
export type JobReport =
  | { progress: [done: number, total: number, unit: string]; host: string }
  | { log: string; host: string }
  | { refused: string; host: string };

const HASH = /^[0-9a-f]{16}$/;
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/**
 * The job in `data` with its fields checked, or why it is refused: a missing or mistyped field,
 * a key or hash that is not one, an output name that climbs out of its folder. Paths are only
 * checked to be strings here: whether they lie inside this worker's roots is the runner's check.
 */
export function checkJob(data: unknown): BuildJob | string {
  if (!isRecord(data)) return 'the job is not an object';
  const problems: string[] = [];
  const need = (field: string, ok: (value: unknown) => boolean, what: string) => {
    if (!ok(data[field])) problems.push(`${field} must be ${what}`);
  };
  need('format', (v) => v === JOB_FORMAT, `${JOB_FORMAT}`);
  for (const field of ['vbuild', 'configHash', 'storeId', 'coordinator', 'rule']) need(field, isText, 'a non-empty string');
  need('rule', (v) => typeof v === 'string' && NAME.test(v), 'a rule name');
  need('ruleVersion', (v) => isText(v) || typeof v === 'number', 'a string or number');
  need('key', (v) => typeof v === 'string' && HASH.test(v), 'a build key (16 hex digits)');
  need('item', (v) => v === null || isItem(v), 'null or { id, path }');
  need('itemHash', (v) => v === null || (typeof v === 'string' && HASH.test(v)), 'null or a content hash');
  need('items', (v) => Array.isArray(v) && v.every(isItem), 'a list of { id, path }');
  need('failed', (v) => Array.isArray(v) && v.every((f) => isRecord(f) && isText(f['item']) && isText(f['build']) && typeof f['error'] === 'string'), 'a list of { item, build, error }');
  need('batchDir', (v) => typeof v === 'string' && (v === '' || isOutputName(v)), "'' or a relative folder");
  need('params', (v) => isRecord(v) && Object.values(v).every((p) => ['number', 'string', 'boolean'].includes(typeof p)), 'an object of numbers, strings and booleans');
  need('deps', (v) => isRecord(v) && Object.values(v).every(isHashedOutputs), 'rule -> { output name -> hash }');
  need('batch', (v) => isRecord(v) && Object.values(v).every((byItem) => isRecord(byItem) && Object.values(byItem).every(isHashedOutputs)), 'rule -> item -> { output name -> hash }');
  if (problems.length > 0) return problems.join('; ');
  return data as unknown as BuildJob;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isItem(value: unknown): value is Item {
  return isRecord(value) && isText(value['id']) && isText(value['path']);
}

function isHashedOutputs(value: unknown): boolean {
  return isRecord(value) && Object.entries(value).every(([name, hash]) => isOutputName(name) && typeof hash === 'string' && HASH.test(hash));
}
