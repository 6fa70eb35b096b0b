#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, which also loads the user's pipeline.config.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const { closeLauncher } = await import('../src/media/launcher.ts');
process.exitCode = await main(process.argv.slice(2));
// Waited for, so that the helper that started ffmpeg, and the CPU it and ffmpeg used, end with vbuild.
await closeLauncher();
// Ends here rather than when nothing is left to run: on that way out Node first gives SIGINT and
// SIGTERM back their default action, and a second Ctrl-C landing then ended vbuild by the signal
// instead of with its exit code (130 after an interruption).
process.exit();
