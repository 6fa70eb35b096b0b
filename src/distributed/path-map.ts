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

function isInside(file: string, folder: string): boolean {
  const relative = path.relative(folder, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
