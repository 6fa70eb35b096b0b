import type { SelectionProblem } from '../engine/items.ts';

/** A selection problem in terms of the flags that name the input and the filters. */
export function describeSelectionProblem(problem: SelectionProblem): string {
  switch (problem.kind) {
    case 'input-missing':
      return `input folder ${problem.path} does not exist; pass --input with a folder of videos or one video file`;
    case 'input-unreadable':
      return `cannot read input folder ${problem.path}: ${problem.code}`;
    case 'input-not-videos':
      return `--input ${problem.path} is neither a folder nor a video file${problem.include ? ` (${problem.include.join(', ')})` : ''}`;
    case 'from-unmatched':
      return `--from ${JSON.stringify(problem.name)}: no selected input is named so (ids, file names and stems are accepted)`;
  }
}
