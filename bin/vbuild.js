#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, which also loads the user's pipeline.config.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const { closeLauncher } = await import('../src/media/launcher.ts');
process.exitCode = await main(process.argv.slice(2));
// Waited for, so that the helper that started ffmpeg, and the CPU it and ffmpeg used, end with vbuild.
await closeLauncher();
