/**
 * What bin/vbuild.js runs: the CLI, and the means to end its tools. The same module whether it is
 * loaded from the sources through tsx or compiled ahead (bin/compiled-cli.js), which also hands
 * over the compiled shipped pipeline with `useCompiledConfig` and the compiled analysis worker with
 * `useCompiledAnalysisWorker`.
 */
export { main } from './main.ts';
export { closeLauncher } from '../media/launcher.ts';
export { useCompiledConfig } from './load-config.ts';
export { useCompiledAnalysisWorker } from '../detect/analysis-thread.ts';
