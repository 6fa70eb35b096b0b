#!/usr/bin/env node
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledCli } from './compiled-cli.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// Compiled ahead when it can be (a start then costs about 0.6 CPU-s less); else, or with
// VBUILD_FROM_SOURCES=1 (stack traces then name the sources), the sources through tsx.
const compiled = process.env['VBUILD_FROM_SOURCES'] === '1' ? undefined : await compiledCli(root);
let cli;
if (compiled) {
  cli = await import(compiled.cli);
  cli.useCompiledConfig(path.join(root, 'pipeline.config.ts'), () => import(compiled.config));
  cli.useCompiledAnalysisWorker(compiled.analysisWorker);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/entry.ts');
}
process.exitCode = await cli.main(process.argv.slice(2));
// Waited for, so that the helper that started ffmpeg, and the CPU it and ffmpeg used, end with vbuild.
await cli.closeLauncher();
// Ends here rather than when nothing is left to run: on that way out Node first gives SIGINT and
// SIGTERM back their default action, and a second Ctrl-C landing then ended vbuild by the signal
// instead of with its exit code (130 after an interruption).
process.exit();
