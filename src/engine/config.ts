import type { Config, ParamReader, ParamSpec, ParamSpecs, ParamValue, Rule } from './rule.ts';

export class ConfigError extends Error {}

const PARAM_TYPES = new Set(['number', 'integer', 'string', 'boolean']);

/**
 * Checks the rule graph and param declarations; returns the rules in dependency order.
 * `reservedNames`: words the caller's command line gives a meaning of its own (commands, `all`),
 * which a rule may not take.
 */
export function validateConfig(config: Config, { reservedNames = [] }: { reservedNames?: readonly string[] } = {}): Rule[] {
  const byName = new Map<string, Rule>();
  for (const rule of config.rules) {
    if (typeof rule.name !== 'string' || !/^[a-z][a-z0-9_-]*$/.test(rule.name)) {
      throw new ConfigError(`rule ${JSON.stringify(rule.name)}: a rule name must be lower-case letters, digits, '_' or '-'`);
    }
    if (reservedNames.includes(rule.name)) throw new ConfigError(`rule "${rule.name}": the name is reserved for a vbuild command`);
    if (byName.has(rule.name)) throw new ConfigError(`rule "${rule.name}" is defined twice`);
    // A config is user code: what the types promise is checked here.
    const { per } = rule as { per: unknown };
    if (per !== 'video' && per !== 'batch') {
      throw new ConfigError(`rule "${rule.name}": per must be 'video' or 'batch', got ${JSON.stringify(per)}`);
    }
    if (typeof rule.run !== 'function') throw new ConfigError(`rule "${rule.name}": run must be a function`);
    if (rule.version === undefined) throw new ConfigError(`rule "${rule.name}": version is missing`);
    byName.set(rule.name, rule);
  }
  for (const rule of config.rules) {
    for (const dep of rule.deps ?? []) {
      if (!byName.has(dep)) throw new ConfigError(`rule "${rule.name}" depends on unknown rule "${dep}"`);
    }
    for (const dep of Object.keys(rule.reads ?? {})) {
      if (!rule.deps?.includes(dep)) throw new ConfigError(`rule "${rule.name}" reads outputs of "${dep}", which is not one of its deps`);
    }
  }
  collectParams(config.rules);
  checkParamOverrides(config);
  return topologicalOrder(config.rules, byName);
}

function topologicalOrder(rules: readonly Rule[], byName: Map<string, Rule>): Rule[] {
  const order: Rule[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (rule: Rule, path: string[]) => {
    if (state.get(rule.name) === 'done') return;
    if (state.get(rule.name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(rule.name)), rule.name].join(' -> ');
      throw new ConfigError(`rule "${rule.name}" is in a dependency cycle: ${cycle}`);
    }
    state.set(rule.name, 'visiting');
    for (const dep of rule.deps ?? []) visit(byName.get(dep)!, [...path, rule.name]);
    state.set(rule.name, 'done');
    order.push(rule);
  };
  for (const rule of rules) visit(rule, []);
  return order;
}

export interface DeclaredParam extends ParamSpec {
  name: string;
  /** Rules that declare it. */
  rules: string[];
}

/** Every param declared by any rule; rules may share a param if they declare it alike. */
export function collectParams(rules: readonly Rule[]): Map<string, DeclaredParam> {
  const params = new Map<string, DeclaredParam>();
  for (const rule of rules) {
    for (const [name, spec] of Object.entries(rule.params ?? {})) {
      checkParamSpec(rule.name, name, spec);
      const seen = params.get(name);
      if (seen === undefined) {
        params.set(name, { ...spec, name, rules: [rule.name] });
      } else if (seen.type !== spec.type || seen.default !== spec.default) {
        throw new ConfigError(
          `rule "${rule.name}": param "${name}" is also declared by rule "${seen.rules[0]}" with another type or default`,
        );
      } else {
        seen.rules.push(rule.name);
      }
    }
  }
  return params;
}

function checkParamSpec(rule: string, name: string, spec: ParamSpec): void {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) {
    throw new ConfigError(`rule "${rule}": param name "${name}" must be lower-case snake_case`);
  }
  if (!spec || !PARAM_TYPES.has(spec.type)) {
    throw new ConfigError(`rule "${rule}": param "${name}" needs a type (number, integer, string or boolean)`);
  }
  if (spec.default === undefined) throw new ConfigError(`rule "${rule}": param "${name}" has no default`);
  const problem = checkValue(spec, spec.default);
  if (problem) throw new ConfigError(`rule "${rule}": param "${name}" default ${problem}`);
}

function checkParamOverrides(config: Config): void {
  const params = collectParams(config.rules);
  for (const [name, value] of Object.entries(config.params ?? {})) {
    const spec = params.get(name);
    if (!spec) throw new ConfigError(`config params: "${name}" is not declared by any rule`);
    const problem = checkValue(spec, value);
    if (problem) throw new ConfigError(`config params: "${name}" ${problem}`);
  }
}

/** Why `value` does not fit `spec`, or undefined when it does. */
export function checkValue(spec: ParamSpec, value: ParamValue): string | undefined {
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `must be a number, got ${JSON.stringify(value)}`;
      return rangeProblem(spec, value);
    case 'integer':
      if (!Number.isInteger(value)) return `must be an integer, got ${JSON.stringify(value)}`;
      return rangeProblem(spec, value as number);
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${JSON.stringify(value)}`;
    case 'string':
      if (typeof value !== 'string') return `must be a string, got ${JSON.stringify(value)}`;
      if (spec.choices && !spec.choices.includes(value)) return `must be one of ${spec.choices.join(', ')}, got ${JSON.stringify(value)}`;
      return undefined;
  }
}

/** Reads `values` by the declarations in `specs`: a value that does not fit its declaration throws, naming the param. */
export function paramReader(specs: ParamSpecs | undefined, values: Record<string, ParamValue>): ParamReader {
  const read = (name: string, types: readonly string[]): ParamValue => {
    const spec = specs?.[name];
    if (!spec || !types.includes(spec.type)) throw new Error(`param ${name} is not declared as ${types.join(' or ')}`);
    const value = values[name];
    const problem = value === undefined ? 'has no value' : checkValue(spec, value);
    if (problem) throw new Error(`param ${name} ${problem}`);
    return value!;
  };
  return {
    number: (name) => read(name, ['number', 'integer']) as number,
    string: (name) => read(name, ['string']) as string,
    boolean: (name) => read(name, ['boolean']) as boolean,
  };
}

function rangeProblem(spec: ParamSpec, value: number): string | undefined {
  if (spec.min !== undefined && value < spec.min) return `must be at least ${spec.min}, got ${value}`;
  if (spec.max !== undefined && value > spec.max) return `must be at most ${spec.max}, got ${value}`;
  return undefined;
}

/** `0–180`, `≥ 1` or '' : a numeric param's range as `--help` shows it. */
export function describeRange(spec: ParamSpec): string {
  if (spec.min !== undefined && spec.max !== undefined) return `${spec.min}–${spec.max}`;
  if (spec.min !== undefined) return `≥ ${spec.min}`;
  if (spec.max !== undefined) return `≤ ${spec.max}`;
  return '';
}

/**
 * Runs every rule's `checkParams` on the values in force, once, before any build; the problems
 * of all rules together in one error, so a user fixes them in one go.
 */
export async function checkRuleParams(rules: readonly Rule[], values: Record<string, ParamValue>): Promise<void> {
  const problems: string[] = [];
  for (const rule of rules) {
    if (!rule.checkParams) continue;
    const problem = await rule.checkParams(values);
    if (problem !== undefined && !problems.includes(problem)) problems.push(problem);
  }
  if (problems.length > 0) throw new ConfigError(problems.join('; '));
}

/** Param values in force: rule defaults, then the config's overrides, then the command line's. */
export function resolveParams(
  config: Config,
  overrides: Record<string, ParamValue> = {},
): Record<string, ParamValue> {
  const values: Record<string, ParamValue> = {};
  for (const [name, spec] of collectParams(config.rules)) values[name] = spec.default;
  return { ...values, ...config.params, ...overrides };
}
