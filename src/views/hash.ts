/** A short content hash of some texts (FNV-1a, 32 bits, hex). Not cryptographic: it tells versions apart. */
export function textHash(...parts: readonly string[]): string {
  let h = 0x811c9dc5;
  parts.forEach((text, k) => {
    if (k > 0) h = Math.imul(h ^ 0x1, 0x01000193);
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  });
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** An item's content hash: cached results are reused only for an item whose problem and steps are unchanged. */
export function itemHash(problem: string, steps: readonly string[]): string {
  return textHash(problem, ...steps);
}
