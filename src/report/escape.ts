/** Escaping for everything the report renders: file names may hold any character. */

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text safe in HTML content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => HTML_ENTITIES[char]!);
}

/**
 * A relative URL for a relative file path: each segment percent-encoded, so that `#`, `?`, `%`
 * and spaces in names stay part of the path when the page is opened from disk.
 */
export function relativeUrl(relPath: string): string {
  return relPath.split('/').map(encodeURIComponent).join('/');
}
