/** The repository's vitest config with bench/test-suite/cpu-per-file.ts as a setup file. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import suite from '../../vitest.config.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export default mergeConfig(suite, defineConfig({ root, test: { setupFiles: [path.join(root, 'bench/test-suite/cpu-per-file.ts')] } }));
