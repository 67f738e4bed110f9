// Date#toISOString converts the whole date each call, which costs more than the rest of a
// `serve` log line: the text up to the second is kept while the second lasts.
let keptSecond = Number.NaN;
let keptPrefix = '';

/** The same text as `at.toISOString()`. */
export function isoTime(at: Date): string {
  const ms = at.getTime();
  const second = Math.floor(ms / 1000);
  if (second !== keptSecond) {
    // All but the milliseconds and the Z (".sssZ"): a year past 9999, or before 0, has a longer prefix.
    keptPrefix = at.toISOString().slice(0, -5);
    keptSecond = second;
  }
  return `${keptPrefix}.${String(ms - second * 1000).padStart(3, '0')}Z`;
}
