import { cac } from 'cac';
import { checkValue, type DeclaredParam, describeRange } from '../engine/config.ts';
import type { ParamValue } from '../engine/rule.ts';
import { GLOBAL_OPTIONS, type GlobalOptions, longFlag, optionName, parseAge } from './options.ts';

export type Command =
  | { name: 'build'; targets: string[] }
  | { name: 'cat'; rule: string; args: string[] }
  | { name: 'dag' }
  | { name: 'status' }
  | { name: 'gc' }
  | { name: 'doctor' }
  | { name: 'worker' };

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
  ['worker', 'Run builds for `vbuild all --queue` coordinators (needs --queue and the shared --cache)'],
] as const;

/** Words the command line gives a meaning of its own (the commands, `all`, `help`): no rule may be named so. */
export const RESERVED_WORDS: readonly string[] = [
  'all',
  'help',
  ...COMMANDS.map(([usage]) => usage.split(' ')[0]!).filter((word) => /^[a-z]/.test(word)),
];

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

/** The config's folders, named in `--help` as the defaults of --input, --output and --cache. */
export interface HelpFolders {
  input: string;
  output: string;
  cache: string;
}

const EXAMPLES = [
  ['vbuild all --input ~/videos', 'every rule for every video in ~/videos; clips in ./out'],
  ['vbuild all --input clip.mp4', 'one video'],
  ['vbuild --input ~/videos --max-yaw 25', 'near-frontal faces only: re-scores and re-cuts, detects nothing again'],
  ['vbuild -n --input ~/videos --sample-fps 4', 'what a denser sampling would rebuild, and why; builds nothing'],
  ['VBUILD_MIN_FACE=120 vbuild --input ~/videos', 'a param from the environment'],
  ['vbuild cat scenes clip01', "print a video's shots"],
] as const;

export function helpText(params: readonly DeclaredParam[], version: string, folders?: HelpFolders): string {
  const table = (rows: readonly (readonly [string, string])[]) => {
    const width = Math.max(...rows.map(([left]) => left.length));
    return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`).join('\n');
  };
  const optionDoc = ({ key, doc }: (typeof GLOBAL_OPTIONS)[number]) =>
    folders !== undefined && (key === 'input' || key === 'output' || key === 'cache') ? `${doc} (default: ${folders[key]})` : doc;
  const sections = [
    `vbuild ${version}: incremental builds of swappable face clips from a folder of videos`,
    'Usage:\n  $ vbuild [targets...] [options]\n  $ vbuild cat <rule> [item] [file]',
    `Commands:\n${table(COMMANDS)}`,
    `Options:\n${table([...GLOBAL_OPTIONS.map((o): [string, string] => [o.flag, optionDoc(o)]), ['-h, --help', 'Show this help'], ['-v, --version', 'Show the version']])}`,
  ];
  if (params.length > 0) {
    const rows = params.map((p): [string, string] => [paramOption(p), `${p.doc} (${paramFacts(p)})`]);
    sections.push(
      "Pipeline params (from the config's rules; each can also be set in the environment as VBUILD_<PARAM>,\n" +
        `e.g. VBUILD_MAX_YAW=25; a flag beats the environment, which beats the config's params, which beat the defaults):\n${table(rows)}`,
    );
  }
  sections.push(`Examples:\n${table(EXAMPLES)}`);
  return sections.join('\n\n');
}

/** `default: 75; 0–180; score`: an empty default is left out rather than shown as nothing. */
function paramFacts(param: DeclaredParam): string {
  const facts = [param.default === '' ? undefined : `default: ${param.default}`, describeRange(param) || undefined, param.rules.join(', ')];
  return facts.filter((fact) => fact !== undefined).join('; ');
}

/** Pure: argv (without node and script) and the declared params -> what to do. */
export function parseCLI(argv: readonly string[], params: readonly DeclaredParam[], version = '0.0.0', folders?: HelpFolders): ParsedCLI {
  const cli = createCli(params);
  const { args, options: raw } = cli.parse(['node', 'vbuild', ...joinNegativeValues(argv, flagsTakingValues(params))], { run: false });
  const empty: ParsedCLI = { command: { name: 'build', targets: [] }, options: globalOptions({}), params: {} };
  if (raw['help']) return { ...empty, print: helpText(params, version, folders) };
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
    case 'worker':
      return { name };
    default:
      return { name: 'build', targets: args.map(String) };
  }
}

function paramValue(param: DeclaredParam, raw: unknown): ParamValue {
  const flag = paramFlag(param.name);
  if (Array.isArray(raw)) throw new UsageError(`${flag} was given more than once`);
  if (typeof raw === 'boolean') {
    if (param.type === 'boolean') return raw;
    if (raw) throw new UsageError(`${flag} needs a value`);
  }
  return paramFromText(param, String(raw), flag);
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, false: false, 1: true, 0: false, yes: true, no: false };

/** A param's value from what a user typed (a flag's value, an environment variable), checked; `source` names it in errors. */
function paramFromText(param: DeclaredParam, text: string, source: string): ParamValue {
  let value: ParamValue;
  if (param.type === 'boolean') {
    const word = BOOLEAN_WORDS[text.trim().toLowerCase()];
    if (word === undefined) throw new UsageError(`${source} must be true or false, got ${JSON.stringify(text)}`);
    value = word;
  } else if (param.type === 'string') {
    value = text;
  } else {
    if (text.trim() === '') throw new UsageError(`${source} needs a value`);
    value = Number(text);
    if (Number.isNaN(value)) throw new UsageError(`${source} must be a number, got ${JSON.stringify(text)}`);
  }
  const problem = checkValue(param, value);
  if (problem) throw new UsageError(`${source} ${problem}`);
  return value;
}

/** `max_yaw` -> `VBUILD_MAX_YAW`. */
export function paramEnvName(name: string): string {
  return `VBUILD_${name.toUpperCase()}`;
}

/**
 * Param values set in the environment as `VBUILD_<PARAM>`, for batch scripts. Pure: the caller
 * passes the environment. An empty variable counts as unset, except for a string param.
 */
export function paramsFromEnv(env: Readonly<Record<string, string | undefined>>, params: readonly DeclaredParam[]): Record<string, ParamValue> {
  const values: Record<string, ParamValue> = {};
  for (const param of params) {
    const name = paramEnvName(param.name);
    const text = env[name];
    if (text === undefined || (text === '' && param.type !== 'string')) continue;
    values[param.name] = paramFromText(param, text, name);
  }
  return values;
}

/**
 * mri reads `--max-yaw -5` as a flag `-5`; a negative number right after a flag that takes a
 * value is that flag's value, so it is joined to it (`--max-yaw=-5`).
 */
function joinNegativeValues(argv: readonly string[], valueFlags: ReadonlySet<string>): string[] {
  const joined: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (valueFlags.has(arg) && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      joined.push(`${arg}=${next}`);
      i++;
    } else joined.push(arg);
  }
  return joined;
}

/** `--max-yaw`, `-j`, `--jobs`…: every flag that takes a value. */
function flagsTakingValues(params: readonly DeclaredParam[]): Set<string> {
  const flags = new Set<string>();
  for (const option of GLOBAL_OPTIONS) {
    if (option.kind !== 'boolean') for (const flag of option.flag.split(/[ ,]+/).filter((word) => word.startsWith('-'))) flags.add(flag);
  }
  for (const param of params) if (param.type !== 'boolean') flags.add(paramFlag(param.name));
  return flags;
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
