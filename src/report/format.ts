/** Human-readable numbers for the report page. */

/** `m:ss.s`, or `h:mm:ss` from an hour on. */
export function formatClock(seconds: number): string {
  const whole = Math.floor(seconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  if (h > 0) return `${h}:${pad(m)}:${pad(whole % 60)}`;
  return `${m}:${(seconds - m * 60).toFixed(1).padStart(4, '0')}`;
}

/** A span of a video, `m:ss.s–m:ss.s`. */
export function formatRange(span: { start: number; end: number }): string {
  return `${formatClock(span.start)}–${formatClock(span.end)}`;
}

/** A short length: hundredths below a second, where a frame or two is the whole story. */
export function formatSeconds(seconds: number): string {
  return `${seconds.toFixed(seconds < 1 ? 2 : 1)} s`;
}

export function formatHours(hours: number): string {
  return `${hours.toFixed(hours < 10 ? 3 : 1)} h`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatPercent(ratio: number | null): string {
  return ratio === null ? 'n/a' : `${(ratio * 100).toFixed(1)} %`;
}

/** A param value for the page: fractions rounded, strings as they are, anything else as JSON. */
export function formatParam(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(2);
  return typeof value === 'string' ? value : JSON.stringify(value);
}
