import type { GoneItems } from '../engine/gc.ts';
import { capList } from './lists.ts';

/**
 * What a run over the input folder does with the published files of inputs no longer in it.
 * Removing them is right when a user deleted a video; it is a disaster when the folder was
 * mistyped, unmounted or emptied. So a run that finds no input, or that would remove more than
 * half of what was published, removes nothing unless the user confirms with --prune.
 */
export type PruneDecision =
  | { action: 'keep-all' }
  | { action: 'remove'; items: string[]; files: string[] }
  | { action: 'refuse'; message: string };

export function decidePrune(gone: GoneItems, selected: number, inputDir: string, prune: boolean): PruneDecision {
  const items = gone.items.map((entry) => entry.item);
  const files = gone.items.flatMap((entry) => entry.published);
  if (items.length === 0) return { action: 'keep-all' };
  if (prune || files.length === 0) return { action: 'remove', items, files };
  if (selected > 0 && files.length * 2 <= gone.publishedTotal) return { action: 'remove', items, files };
  const found = selected === 0 ? `no input in ${inputDir}` : `${items.length} inputs built before are no longer in ${inputDir} (${capList(items)})`;
  return {
    action: 'refuse',
    message:
      `${found}: their ${files.length} published files (of ${gone.publishedTotal}) would be removed, ` +
      `so nothing was built or removed. Check --input; pass --prune if those videos are really gone`,
  };
}
