import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

type ConfigModule = { default?: unknown };

/**
 * What `tsImport` does, under a fixed namespace: both hooks, since a config outside an ESM package
 * is compiled as CommonJS and what it imports then goes through the CommonJS one. tsx is loaded
 * here, not with the module: a CLI compiled ahead running the shipped pipeline never needs it.
 */
async function importConfig(file: string): Promise<ConfigModule> {
  const [{ register: registerCommonJs }, { register: registerEsm }] = await Promise.all([import('tsx/cjs/api'), import('tsx/esm/api')]);
  // Without a namespace too (bin/vbuild.js does it when the CLI runs from its sources): the
  // namespaced hooks do not follow a module's own `await import()` of more TypeScript.
  registerEsm();
  registerCommonJs({ namespace: CONFIG_NAMESPACE });
  return registerEsm({ namespace: CONFIG_NAMESPACE }).import(file, import.meta.url) as Promise<ConfigModule>;
}

/** Configs compiled ahead with the CLI, by path: imported as they are instead of through tsx. */
const compiledConfigs = new Map<string, () => Promise<ConfigModule>>();

/** `file`'s config is compiled ahead with this CLI (bin/compiled-cli.js: the shipped pipeline); `load` imports it. */
export function useCompiledConfig(file: string, load: () => Promise<ConfigModule>): void {
  compiledConfigs.set(file, load);
}

/** Imports a config (compiled ahead with the CLI, else its TypeScript through tsx) and checks it. */
export async function loadConfig(file: string): Promise<LoadedConfig> {
  if (!existsSync(file)) throw new ConfigError(`config ${file} does not exist`);
  let module: ConfigModule;
  try {
    const compiled = compiledConfigs.get(file);
    module = await (compiled ? compiled() : importConfig(file));
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
