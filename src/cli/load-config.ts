import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { register as registerCommonJs } from 'tsx/cjs/api';
import { register as registerEsm } from 'tsx/esm/api';
import { ConfigError, validateConfig } from '../engine/config.ts';
import type { Config, Rule } from '../engine/rule.ts';
import { RESERVED_WORDS } from './parse.ts';

export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CONFIG_NAME = 'pipeline.config.ts';

export interface LoadedConfig {
  file: string;
  config: Config;
  /** Rules in dependency order. */
  rules: Rule[];
}

/** `--config FILE`, else ./pipeline.config.ts, else the pipeline that ships with vbuild. */
export function configPath(explicit: string | undefined, cwd: string): string {
  if (explicit) return path.resolve(cwd, explicit);
  const local = path.join(cwd, CONFIG_NAME);
  return existsSync(local) ? local : path.join(PACKAGE_ROOT, CONFIG_NAME);
}

/**
 * tsx's transform cache keys each compiled file by its URL, namespace included: `tsImport` picks a
 * random namespace per call, so every run compiled the config and all it imports again (0.7 of the
 * 1.3 CPU-s a `vbuild` with the default pipeline took to start). A fixed one lets runs share the
 * cache; the config is loaded once per process, so nothing needs a fresh namespace.
 */
const CONFIG_NAMESPACE = 'vbuild-config';

/**
 * What `tsImport` does, under a fixed namespace: both hooks, since a config outside an ESM package
 * is compiled as CommonJS and what it imports then goes through the CommonJS one.
 */
function importConfig(file: string): Promise<{ default?: unknown }> {
  registerCommonJs({ namespace: CONFIG_NAMESPACE });
  return registerEsm({ namespace: CONFIG_NAMESPACE }).import(file, import.meta.url) as Promise<{ default?: unknown }>;
}

/** Imports a TypeScript config at run time (the CLI runs under tsx) and checks it. */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  if (!existsSync(file)) throw new ConfigError(`config ${file} does not exist`);
  let module: { default?: unknown };
  try {
    module = await importConfig(file);
  } catch (error) {
    throw new ConfigError(`config ${file} failed to load: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Outside an ESM package the config is compiled as CommonJS and its default export arrives nested.
  const exported = module.default as (Config & { default?: Config }) | undefined;
  const config = exported?.rules ? exported : exported?.default;
  if (!config || typeof config !== 'object' || !Array.isArray(config.rules)) {
    throw new ConfigError(`config ${file} must \`export default defineConfig({ input, output, cache, rules })\``);
  }
  if (!config.input?.dir || !Array.isArray(config.input.include)) {
    throw new ConfigError(`config ${file}: input needs a dir and an include list of globs`);
  }
  try {
    return { file, config, rules: validateConfig(config, { reservedNames: RESERVED_WORDS }) };
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(`config ${file}: ${error.message}`);
    throw error;
  }
}
