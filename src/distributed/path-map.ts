import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** `--path-map FROM=TO`: a path the coordinator names under FROM is TO on this machine. */
export interface PathMapping {
  from: string;
  to: string;
}

export class PathMapError extends Error {}

export function parsePathMap(specs: readonly string[]): PathMapping[] {
  return specs.map((spec) => {
    const at = spec.indexOf('=');
    const from = spec.slice(0, at);
    const to = spec.slice(at + 1);
    if (at < 1 || to === '' || !path.isAbsolute(from) || !path.isAbsolute(to)) {
      throw new PathMapError(`--path-map ${JSON.stringify(spec)} must be FROM=TO, two absolute folders`);
    }
    return { from: path.resolve(from), to: path.resolve(to) };
  });
}

/**
 * Maps the coordinator's path to this machine's (the longest FROM that holds it wins), then
 * checks it lies inside one of `roots`: a job cannot make a worker read or write elsewhere
 * (`../`, an absolute path outside). Undefined when it does not.
 */
export function mapInside(file: string, mappings: readonly PathMapping[], roots: readonly string[]): string | undefined {
  if (typeof file !== 'string' || !path.isAbsolute(file)) return undefined;
  const normal = path.resolve(file);
  const mapping = mappings
    .filter(({ from }) => isInside(normal, from))
    .sort((a, b) => b.from.length - a.from.length)[0];
  const local = mapping ? path.join(mapping.to, path.relative(mapping.from, normal)) : normal;
  return roots.some((root) => isInside(local, root)) ? local : undefined;
}

/**
 * `mapInside`, and then the same check on the real path: a symlink inside a root that points
 * elsewhere (`videos/x.mp4 -> /etc/shadow`, or a linked folder) is outside too. A path that does
 * not exist yet has no link to follow; the rule reports it missing. The mapped path (not the
 * real one) is returned, so that what a rule records is what a local run records. The roots'
 * real paths are read once here, for every path a job names (a batch job names every video).
 */
export async function resolverInside(mappings: readonly PathMapping[], roots: readonly string[]): Promise<(file: string) => Promise<string | undefined>> {
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => path.resolve(root))));
  return async (file) => {
    const local = mapInside(file, mappings, roots);
    if (local === undefined) return undefined;
    const real = await realpath(local).catch(() => undefined);
    if (real === undefined) return local;
    return realRoots.some((root) => isInside(real, root)) ? local : undefined;
  };
}

/** The paths a `paths` param's value names (see ParamSpec.paths). */
export function pathsIn(value: string): string[] {
  return value.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
