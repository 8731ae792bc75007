/**
 * Text on one line (every run of whitespace becomes one space) of at most `max` characters, shortened with "…":
 * for table cells, log lines and messages that quote model or user text.
 */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  return max <= 0 ? '' : `${flat.slice(0, max - 1)}…`;
}
