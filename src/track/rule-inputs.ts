/** What the track and score rules read from their context: upstream files and checked params. */

import { readFile } from 'node:fs/promises';
import type { BuildContext, ParamValue } from '../engine/rule.ts';

/** The path of `file` written by dependency `rule`, failing clearly when it is not there. */
export function depFile(ctx: BuildContext, rule: string, file: string): string {
  const found = ctx.deps[rule]?.files[file];
  if (!found) throw new Error(`${ctx.rule} needs ${file} from ${rule}`);
  return found;
}

export function numberParam(params: Record<string, ParamValue>, name: string, min: number, max = Infinity): number {
  const value = params[name];
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new Error(`param ${name} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

export async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}
