// The CLI and the pipeline that ships with vbuild, compiled ahead to JavaScript and kept while their
// sources stay the same. Loading the TypeScript through tsx cost every start about 0.6 CPU-s more
// (tsx's loader thread, then a hand-off per module: docs/analysis/test-suite.md, session 10); a
// no-op run is mostly start. Plain JavaScript, since it runs before anything can load TypeScript.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Bump when what is compiled, or how, changes: every kept build is then made again. */
const FORMAT = 2;
/** Read by the compile besides the modules it bundles: esbuild's TypeScript settings, and this file. */
const SETTINGS = ['tsconfig.json', 'bin/compiled-cli.js'];
/** The entry points, by the name of the file each becomes: the analysis worker is a thread's own entry. */
const ENTRIES = { cli: 'src/cli/entry.ts', config: 'pipeline.config.ts', analysisWorker: 'src/detect/analysis-worker.ts' };
/** Builds older than this, other than the current one, are removed when a new one is made: a run still going may load its chunks. */
const KEEP_OLD_MS = 60 * 60 * 1000;

/**
 * The compiled entries (`cli`, `config`, `analysisWorker`: file URLs) for the package at `root`, compiled now if the
 * kept build is missing or any of its sources changed; undefined when it cannot be made (no esbuild,
 * a folder that cannot be written), and vbuild then runs from the sources through tsx.
 */
export async function compiledCli(root) {
  // A folder per checkout: checkouts sharing one node_modules (a link to it) would otherwise
  // replace each other's build at every start.
  const dir = path.join(root, 'node_modules', '.cache', 'vbuild-cli', createHash('sha1').update(root).digest('hex').slice(0, 12));
  try {
    const build = currentBuild(root, dir) ?? (await compile(root, dir));
    return Object.fromEntries(Object.keys(ENTRIES).map((name) => [name, pathToFileURL(path.join(dir, build, `${name}.js`)).href]));
  } catch {
    return undefined;
  }
}

const hashOf = (file) => createHash('sha1').update(readFileSync(file)).digest('hex');

/** esbuild's version without loading it (its API would cost a start more than the check saves). */
function esbuildVersion() {
  return JSON.parse(readFileSync(createRequire(import.meta.url).resolve('esbuild/package.json'), 'utf8')).version;
}

/** The kept build's folder name when every source it was made from is unchanged. */
function currentBuild(root, dir) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(path.join(dir, 'current.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (manifest.format !== FORMAT || manifest.root !== root || manifest.esbuild !== esbuildVersion()) return undefined;
  if (!Object.keys(ENTRIES).every((name) => existsSync(path.join(dir, manifest.build, `${name}.js`)))) return undefined;
  for (const [source, hash] of Object.entries(manifest.sources)) {
    try {
      if (hashOf(path.join(root, source)) !== hash) return undefined;
    } catch {
      return undefined;
    }
  }
  return manifest.build;
}

async function compile(root, dir) {
  const { build, version } = await import('esbuild');
  mkdirSync(dir, { recursive: true });
  const staging = path.join(dir, `tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const { metafile } = await build({
    absWorkingDir: root,
    entryPoints: ENTRIES,
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
    plugins: [ownUrls(root)],
  });
  const read = [...Object.keys(metafile.inputs), ...SETTINGS.filter((file) => existsSync(path.join(root, file)))];
  const sources = Object.fromEntries(read.sort().map((source) => [source, hashOf(path.join(root, source))]));
  const manifest = { format: FORMAT, root, esbuild: version, sources };
  const name = `b-${createHash('sha1').update(JSON.stringify(manifest)).digest('hex').slice(0, 16)}`;
  try {
    renameSync(staging, path.join(dir, name));
  } catch {
    // Another vbuild made the same build meanwhile: theirs is kept.
    rmSync(staging, { recursive: true, force: true });
  }
  const pointer = `${staging}.json`;
  writeFileSync(pointer, JSON.stringify({ ...manifest, build: name }));
  renameSync(pointer, path.join(dir, 'current.json'));
  removeOldBuilds(dir, name);
  return name;
}

/**
 * Each module keeps its own `import.meta.url`: the sources find files beside them (the analysis
 * worker, the launcher's helper, package.json) and packages from where they are, not from a chunk.
 */
function ownUrls(root) {
  return {
    name: 'own-import-meta-url',
    setup(build) {
      build.onLoad({ filter: /\.ts$/ }, (args) => {
        if (path.relative(root, args.path).startsWith('..')) return undefined;
        const text = readFileSync(args.path, 'utf8');
        return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
      });
    },
  };
}

function removeOldBuilds(dir, keep) {
  for (const entry of readdirSync(dir)) {
    if (entry === keep || entry === 'current.json') continue;
    const file = path.join(dir, entry);
    try {
      if (Date.now() - statSync(file).mtimeMs > KEEP_OLD_MS) rmSync(file, { recursive: true, force: true });
    } catch {
      // Removed by another vbuild meanwhile.
    }
  }
}
