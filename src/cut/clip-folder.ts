/**
 * Where a video's clips are published, relative to the output folder: `<dir>/<stem>` of the
 * item id (the path under the input root). Keeping the input's folders means `a/talk.mp4` and
 * `b/talk.mp4` get `a/talk/` and `b/talk/` instead of overwriting each other's `talk/`.
 */
import path from 'node:path';

export function clipFolder(itemId: string): string {
  const { dir, name } = path.posix.parse(itemId);
  return dir === '' ? name : `${dir}/${name}`;
}
