import { clip } from '../../../util/text';
/**
 * The one way text a server sent reaches a message, a log, a stored result or the cache: the API key is removed
 * first, then the text is cut. Cutting first would leave most of an echoed key behind whenever the cut falls
 * inside it.
 */
export function serverText(text: string, apiKey: string | undefined, width?: number): string {
  const clean = apiKey && apiKey.length >= 4 ? text.replace(keyPattern(apiKey), '***') : text;
  return width === undefined ? clean : clip(clean, width);
}

let cached: { key: string; pattern: RegExp } | undefined;

/**
 * The key as it may appear in raw or re-serialised JSON: every character either literal or JSON-escaped
 * (`\u0073`, `\/`, `\"`, `\\`), so a preview of a body that was never parsed cannot carry it in disguise.
 */
function keyPattern(key: string): RegExp {
  if (cached?.key !== key) {
    const source = Array.from(key, (ch) => {
      const code = ch.codePointAt(0) ?? 0;
      const forms = [ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')];
      if (code <= 0xffff) forms.push(`\\\\u${hexDigits(code)}`);
      if (ch === '/' || ch === '"' || ch === '\\') forms.push(`\\\\\\${ch}`);
      return forms.length === 1 ? forms[0] : `(?:${forms.join('|')})`;
    }).join('');
    cached = { key, pattern: new RegExp(source, 'g') };
  }
  return cached.pattern;
}

/** Four hex digits, each letter matching either case (the key itself stays case-sensitive). */
function hexDigits(code: number): string {
  return Array.from(code.toString(16).padStart(4, '0'), (d) => (/[a-f]/.test(d) ? `[${d}${d.toUpperCase()}]` : d)).join(
    '',
  );
}
