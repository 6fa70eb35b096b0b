/** The global flags, as one typed table: `parseCLI` and `--help` are both derived from it. */
export interface GlobalOptions {
  config?: string;
  input?: string;
  output?: string;
  cache?: string;
  only: string[];
  skip: string[];
  from?: string;
  dryRun: boolean;
  json: boolean;
  jobs?: number;
  wait: boolean;
  verify: boolean;
  prune: boolean;
  journals: boolean;
  /** Milliseconds. */
  olderThan?: number;
  queue?: string;
  pathMap: string[];
}

type Kind = 'string' | 'strings' | 'integer' | 'boolean' | 'age';

interface OptionSpec {
  key: keyof GlobalOptions;
  flag: string;
  kind: Kind;
  doc: string;
}

export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { key: 'config', flag: '--config <file>', kind: 'string', doc: 'Pipeline config (default: ./pipeline.config.ts, else the built-in pipeline)' },
  { key: 'input', flag: '--input <dir|file>', kind: 'string', doc: 'Folder of input videos, or one video file' },
  { key: 'output', flag: '--output <dir>', kind: 'string', doc: 'Output folder for clips, plan and report' },
  { key: 'cache', flag: '--cache <dir>', kind: 'string', doc: 'Cache folder (artifacts, traces, run cache)' },
  { key: 'only', flag: '--only <glob>', kind: 'strings', doc: 'Only inputs matching this glob (path, file name or stem; repeatable)' },
  { key: 'skip', flag: '--skip <glob>', kind: 'strings', doc: 'Skip inputs matching this glob (repeatable)' },
  { key: 'from', flag: '--from <name>', kind: 'string', doc: 'Start at this input (in sorted order) and take the ones after it' },
  { key: 'dryRun', flag: '-n, --dry-run', kind: 'boolean', doc: 'Build nothing; print every stale build and why' },
  { key: 'json', flag: '--json', kind: 'boolean', doc: 'Machine-readable output (with --dry-run, dag, status)' },
  { key: 'jobs', flag: '-j, --jobs <n>', kind: 'integer', doc: 'Builds running at once, those sharing one decode counting as one (default: the number of cores)' },
  { key: 'wait', flag: '--wait', kind: 'boolean', doc: 'Wait for another vbuild using the same cache instead of exiting' },
  {
    key: 'verify',
    flag: '--verify',
    kind: 'boolean',
    doc: 'Re-hash every input and cached artifact instead of trusting size and mtime (finds edits that kept both)',
  },
  {
    key: 'prune',
    flag: '--prune',
    kind: 'boolean',
    doc: 'Remove the clips of inputs no longer in the input folder even when none is left or more than half of the clips would go',
  },
  { key: 'journals', flag: '--journals', kind: 'boolean', doc: 'gc: also delete journals of interrupted builds' },
  {
    key: 'olderThan',
    flag: '--older-than <age>',
    kind: 'age',
    doc: 'gc: also forget run-cache entries not built or restored for this long, and journals not resumed (30d, 12h, 90m; 0: all but the current builds)',
  },
  {
    key: 'queue',
    flag: '--queue <url>',
    kind: 'string',
    doc: 'Run builds on workers through BullMQ on this Redis (redis://[user:pass@]host:6379, rediss:// for TLS); with status: the workers and queues',
  },
  {
    key: 'pathMap',
    flag: '--path-map <from=to>',
    kind: 'strings',
    doc: "worker: the coordinator's folder FROM is TO on this machine (repeatable)",
  },
];

/** The long form of a table flag: `-j, --jobs <n>` -> `--jobs`. */
export function longFlag(flag: string): string {
  return /--[a-z0-9-]+/.exec(flag)![0];
}

/**
 * cac's name for a flag's value in its parsed options: the long name camel-cased as cac does it,
 * only between two letters (`--x264-preset` stays `x264-preset`).
 */
export function optionName(flag: string): string {
  return longFlag(flag).slice(2).replace(/([a-z])-([a-z])/g, (_, before: string, after: string) => before + after.toUpperCase());
}

const AGE_UNITS_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** `30d`, `12h`, `90m`, `45s`, `2w` or `0` in milliseconds; undefined when it is none of those. */
export function parseAge(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([smhdw])?$/.exec(text.trim());
  if (!match) return undefined;
  const unit = match[2] as keyof typeof AGE_UNITS_MS | undefined;
  if (unit === undefined && Number(match[1]) !== 0) return undefined;
  return Number(match[1]) * (unit ? AGE_UNITS_MS[unit] : 0);
}

