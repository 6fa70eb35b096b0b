/** The running vbuild's version (package.json): what `--version` prints and what made a clip. */
import { readFileSync } from 'node:fs';

export const VBUILD_VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
