/** `a, b, c and 37 more`: a list that fits on one line of a log, whatever its length. */
export function capList(entries: readonly string[], shown = 8, separator = ', '): string {
  if (entries.length <= shown + 1) return entries.join(separator);
  return `${entries.slice(0, shown).join(separator)} and ${entries.length - shown} more`;
}
