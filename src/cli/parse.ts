import { cac } from 'cac';
import { checkValue, type DeclaredParam } from '../engine/config.ts';
import type { ParamValue } from '../engine/rule.ts';
import { GLOBAL_OPTIONS, type GlobalOptions, longFlag, optionName, parseAge } from './options.ts';

export type Command =
  | { name: 'build'; targets: string[] }
  | { name: 'cat'; rule: string; args: string[] }
  | { name: 'dag' }
  | { name: 'status' }
  | { name: 'gc' }
  | { name: 'doctor' };

export interface ParsedCLI {
  command: Command;
  options: GlobalOptions;
  /** Param values given on the command line. */
  params: Record<string, ParamValue>;
  /** Set when --help or --version was asked for: print it and exit. */
  print?: string;
}

export class UsageError extends Error {}

/** `max_yaw` -> `--max-yaw`. */
export function paramFlag(name: string): string {
  return `--${name.replaceAll('_', '-')}`;
}

const COMMANDS = [
  ['[...targets]', 'Build targets: all (the default), a rule name (it and what it needs), or rule@item'],
  ['cat <rule> [item] [file]', 'Print an artifact of a build (no item for a batch rule)'],
  ['dag', 'Print the rule graph'],
  ['status', 'Show the progress of a build running in another process'],
  ['gc', 'Delete cache entries that no trace or run-cache entry needs'],
  ['doctor', 'Show the ffmpeg, ffprobe and onnxruntime in use'],
] as const;

function paramOption(param: DeclaredParam): string {
  const flag = paramFlag(param.name);
  if (param.type === 'boolean') return `${flag}, --no-${flag.slice(2)}`;
  return `${flag} <${param.type === 'string' ? (param.choices?.join('|') ?? 'value') : 'n'}>`;
}

/** cac parses; help is rendered here so that parsing prints nothing. */
function createCli(params: readonly DeclaredParam[]) {
  const cli = cac('vbuild');
  for (const option of GLOBAL_OPTIONS) cli.option(option.flag, option.doc);
  // A declared `--no-x` would make cac default x to true; mri reads `--no-x` as x=false by itself.
  for (const param of params) cli.option(param.type === 'boolean' ? paramFlag(param.name) : paramOption(param), param.doc);
  for (const [name, doc] of COMMANDS) cli.command(name, doc);
  cli.option('-h, --help', 'Show this help').option('-v, --version', 'Show the version');
  return cli;
}

export function helpText(params: readonly DeclaredParam[], version: string): string {
  const table = (rows: [string, string][]) => {
    const width = Math.max(...rows.map(([left]) => left.length));
    return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
  };
  const sections = [
    `vbuild ${version}: incremental builds of swappable face clips from a folder of videos`,
    'Usage:\n  $ vbuild [targets...] [options]\n  $ vbuild cat <rule> [item] [file]',
    `Commands:\n${table(COMMANDS.map(([name, doc]) => [name, doc]))}`,
    `Options:\n${table([...GLOBAL_OPTIONS.map((o): [string, string] => [o.flag, o.doc]), ['-h, --help', 'Show this help'], ['-v, --version', 'Show the version']])}`,
  ];
  if (params.length > 0) {
    const rows = params.map((p): [string, string] => [paramOption(p), `${p.doc} (default: ${p.default}; ${p.rules.join(', ')})`]);
    sections.push(`Pipeline params (from the config's rules):\n${table(rows)}`);
  }
  return sections.join('\n\n');
}

/** Pure: argv (without node and script) and the declared params -> what to do. */
export function parseCLI(argv: readonly string[], params: readonly DeclaredParam[], version = '0.0.0'): ParsedCLI {
  const cli = createCli(params);
  const { args, options: raw } = cli.parse(['node', 'vbuild', ...argv], { run: false });
  const empty: ParsedCLI = { command: { name: 'build', targets: [] }, options: globalOptions({}), params: {} };
  if (raw['help']) return { ...empty, print: helpText(params, version) };
  if (raw['version']) return { ...empty, print: version };

  const known = new Set(['--', 'help', 'h', 'version', 'v', 'n', 'j']);
  for (const option of GLOBAL_OPTIONS) known.add(optionName(option.flag));
  const paramValues: Record<string, ParamValue> = {};
  for (const param of params) {
    const name = optionName(paramFlag(param.name));
    known.add(name);
    if (!(name in raw)) continue;
    paramValues[param.name] = paramValue(param, raw[name]);
  }
  for (const key of Object.keys(raw)) {
    // cac camel-cases what it parses; the user typed it kebab-cased.
    if (!known.has(key)) throw new UsageError(`unknown option --${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} (see vbuild --help)`);
  }
  return { command: command(cli.matchedCommandName, args), options: globalOptions(raw), params: paramValues };
}

function command(name: string | undefined, args: readonly string[]): Command {
  switch (name) {
    case 'cat':
      return { name: 'cat', rule: args[0]!, args: args.slice(1).filter((a): a is string => a !== undefined) };
    case 'dag':
    case 'status':
    case 'gc':
    case 'doctor':
      return { name };
    default:
      return { name: 'build', targets: args.map(String) };
  }
}

function paramValue(param: DeclaredParam, raw: unknown): ParamValue {
  const flag = paramFlag(param.name);
  if (Array.isArray(raw)) throw new UsageError(`${flag} was given more than once`);
  let value: ParamValue;
  if (param.type === 'boolean') value = raw === true || raw === 'true';
  else if (param.type === 'string') {
    if (raw === true) throw new UsageError(`${flag} needs a value`);
    value = String(raw);
  } else {
    if (raw === true || raw === '') throw new UsageError(`${flag} needs a value`);
    value = typeof raw === 'number' ? raw : Number(raw);
    if (Number.isNaN(value)) throw new UsageError(`${flag} must be a number, got ${JSON.stringify(String(raw))}`);
  }
  const problem = checkValue(param, value);
  if (problem) throw new UsageError(`${flag} ${problem}`);
  return value;
}

function globalOptions(raw: Record<string, unknown>): GlobalOptions {
  const options: Record<string, unknown> = {};
  for (const spec of GLOBAL_OPTIONS) {
    const value = raw[optionName(spec.flag)];
    const flag = longFlag(spec.flag);
    switch (spec.kind) {
      case 'boolean':
        options[spec.key] = value === true;
        break;
      case 'strings':
        options[spec.key] = value === undefined ? [] : [value].flat().map(String);
        break;
      case 'string':
        if (value === true) throw new UsageError(`${flag} needs a value`);
        if (Array.isArray(value)) throw new UsageError(`${flag} was given more than once`);
        options[spec.key] = value === undefined ? undefined : String(value);
        break;
      case 'age': {
        if (value === undefined) break;
        const ms = Array.isArray(value) || value === true ? undefined : parseAge(String(value));
        if (ms === undefined) throw new UsageError(`${flag} takes an age like 30d, 12h, 90m or 0, got ${JSON.stringify(value)}`);
        options[spec.key] = ms;
        break;
      }
      case 'integer':
        if (value === undefined) break;
        if (!Number.isInteger(value) || (value as number) < 1) throw new UsageError(`${flag} must be a positive integer, got ${JSON.stringify(value)}`);
        options[spec.key] = value;
        break;
    }
  }
  return options as unknown as GlobalOptions;
}
