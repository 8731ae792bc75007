/**
 * Prompt templates in the benchmark's own syntax, Python's str.format: `{problem}` and `{tagged_response}` are
 * replaced, `{{` and `}}` are literal braces (so ProcessBench's `\boxed{{}}` reads `\boxed{}`). A file written for
 * the reference code is used verbatim; anything str.format would reject, or that this subset does not do (format
 * specs, conversions, positional fields), is refused with the reason rather than rendered differently.
 */

export const PY_FIELDS = ['problem', 'tagged_response'] as const;

type Piece = { text: string } | { field: string };

/** The template's literal text and fields, or the reason it cannot be rendered exactly as str.format would. */
function parse(template: string): Piece[] | string {
  const pieces: Piece[] = [];
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if ((ch === '{' || ch === '}') && template[i + 1] === ch) {
      text += ch;
      i += 1;
    } else if (ch === '}') {
      return `a single "}" at offset ${i} (write "}}" for a literal brace)`;
    } else if (ch === '{') {
      const end = template.indexOf('}', i);
      if (end < 0) return `"{" at offset ${i} is never closed (write "{{" for a literal brace)`;
      const field = template.slice(i + 1, end);
      if (!(PY_FIELDS as readonly string[]).includes(field)) {
        return `unknown field {${field}}; known: ${PY_FIELDS.map((f) => `{${f}}`).join(', ')}`;
      }
      if (text) pieces.push({ text });
      text = '';
      pieces.push({ field });
      i = end;
    } else {
      text += ch;
    }
  }
  if (text) pieces.push({ text });
  return pieces;
}

/** Why a template cannot be used (also when it lacks a field the critic needs), or undefined. */
export function pyTemplateProblem(template: string): string | undefined {
  const pieces = parse(template);
  if (typeof pieces === 'string') return pieces;
  const used = new Set(pieces.flatMap((p) => ('field' in p ? [p.field] : [])));
  const missing = PY_FIELDS.filter((f) => !used.has(f));
  return missing.length > 0 ? `missing ${missing.map((f) => `{${f}}`).join(' and ')}` : undefined;
}

/** `template.format(**values)` for a template pyTemplateProblem accepted. */
export function pyFormat(template: string, values: Readonly<Record<(typeof PY_FIELDS)[number], string>>): string {
  const pieces = parse(template);
  if (typeof pieces === 'string') throw new Error(pieces);
  return pieces.map((p) => ('field' in p ? values[p.field as keyof typeof values] : p.text)).join('');
}
