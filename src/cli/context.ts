import path from 'node:path';
import type { Config, ParamValue, Rule } from '../engine/rule.ts';
import type { GlobalOptions } from './options.ts';

/** What every command gets: the loaded config, resolved folders, the parsed flags, where to write. */
export interface CommandContext {
  config: Config;
  configFile: string;
  rules: Rule[];
  options: GlobalOptions;
  params: Record<string, ParamValue>;
  inputDir: string;
  outputDir: string;
  cacheDir: string;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Flags beat the config; relative paths are relative to the working directory, as with make. */
export function resolveFolders(config: Config, options: GlobalOptions, cwd: string) {
  return {
    inputDir: path.resolve(cwd, options.input ?? config.input.dir),
    outputDir: path.resolve(cwd, options.output ?? config.output),
    cacheDir: path.resolve(cwd, options.cache ?? config.cache),
  };
}
