import katex, { type KatexOptions } from 'katex';
import MarkdownIt from 'markdown-it';

/**
 * Renders model and dataset text (markdown with TeX math) to HTML that is inert by construction:
 * - markdown-it with raw HTML off: `<script>`, `<img onerror>` and any other tag in the text come out escaped;
 * - links and images never become `<a>`/`<img>`: they render as plain spans (the target only in a tooltip), so
 *   nothing can navigate, run a `javascript:` URL or load a remote resource;
 * - KaTeX with `trust: false` (no `\href`, `\url`, `\includegraphics`, `\htmlClass`…), HTML extensions rejected as
 *   errors, bounded sizes and macro expansion, and overlong or too many formulas shown as escaped source.
 * Used in the inspector webview; pure, so the same checks run in plain Node tests.
 */

// Parser types taken from the instance, so the module type-checks under both CommonJS and bundler resolution.
type Md = InstanceType<typeof MarkdownIt>;
type StateInline = Parameters<Parameters<Md['inline']['ruler']['before']>[2]>[0];
type StateBlock = Parameters<Parameters<Md['block']['ruler']['before']>[2]>[0];
type Env = NonNullable<Parameters<Md['render']>[1]>;

/** Formulas longer than this are shown as source: KaTeX's cost grows with them and nobody reads them rendered. */
export const MAX_FORMULA_CHARS = 4000;
/** Beyond this many formulas in one text, the rest are shown as source (a pathological step must not stall). */
export const MAX_FORMULAS_PER_TEXT = 400;
/** Inline formulas longer than this get a horizontal scroll box of their own. */
export const WIDE_INLINE_CHARS = 120;
/** Texts longer than this are shown as plain preformatted text. */
export const MAX_MARKDOWN_CHARS = 200_000;

const KATEX_OPTIONS: KatexOptions = {
  throwOnError: false,
  trust: false,
  // Strict where it matters: HTML extensions (\htmlClass, \htmlId, \htmlStyle, \htmlData) are errors even if trust
  // changed; the rest of KaTeX's strictness (unicode in math, etc.) concerns faithfulness, not safety.
  strict: (errorCode: string) => (errorCode === 'htmlExtension' ? 'error' : 'ignore'),
  maxSize: 20,
  maxExpand: 500,
  output: 'htmlAndMathml',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

interface RenderEnv extends Env {
  formulas: number;
}

function renderFormula(tex: string, displayMode: boolean, env: RenderEnv): string {
  env.formulas += 1;
  const cls = displayMode ? 'math-source math-display-source' : 'math-source';
  if (tex.length > MAX_FORMULA_CHARS) {
    return `<code class="${cls}" title="formula not rendered: ${tex.length} characters">${escapeHtml(tex)}</code>`;
  }
  if (env.formulas > MAX_FORMULAS_PER_TEXT) {
    return `<code class="${cls}" title="formula not rendered: more than ${MAX_FORMULAS_PER_TEXT} formulas in this text">${escapeHtml(tex)}</code>`;
  }
  try {
    const html = katex.renderToString(tex, { ...KATEX_OPTIONS, displayMode });
    // A long inline formula cannot wrap: give it its own scroll box instead of widening the page.
    return !displayMode && tex.length > WIDE_INLINE_CHARS ? `<span class="math-wide">${html}</span>` : html;
  } catch (e) {
    // Parse errors are rendered by KaTeX itself; this catches the rest (e.g. a stack overflow on deep nesting).
    return `<code class="${cls} math-error" title="${escapeHtml(`formula not rendered: ${(e as Error).message}`)}">${escapeHtml(tex)}</code>`;
  }
}

/** `$…$`, `$$…$$` (inline), `\(…\)` and `\[…\]` inside a paragraph. Runs before markdown's backslash escapes. */
function mathInline(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  let open: number;
  let end: number;
  let display: boolean;
  let closeLength: number;
  if (src.charCodeAt(start) === 0x5c) {
    const next = src[start + 1];
    if (next !== '(' && next !== '[') return false;
    display = next === '[';
    open = 2;
    closeLength = 2;
    end = src.indexOf(display ? '\\]' : '\\)', start + 2);
  } else if (src.charCodeAt(start) === 0x24) {
    display = src[start + 1] === '$';
    open = display ? 2 : 1;
    closeLength = open;
    end = display ? src.indexOf('$$', start + 2) : closingDollar(src, start + 1);
  } else {
    return false;
  }
  if (end < 0 || end === start + open) return false;
  if (!silent) {
    const token = state.push('math_inline', 'math', 0);
    token.content = src.slice(start + open, end);
    token.meta = { display };
  }
  state.pos = end + closeLength;
  return true;
}

/**
 * The `$` closing an inline formula that opens just before `from`, or -1. Like pandoc: the opening `$` is not
 * followed by a space, the closing one is not preceded by a space nor followed by a digit ("$5 and $6" is text).
 */
function closingDollar(src: string, from: number): number {
  if (from >= src.length || /\s/.test(src[from])) return -1;
  for (let i = from; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      i += 1;
      continue;
    }
    if (c === '$') {
      if (/\s/.test(src[i - 1]) || /\d/.test(src[i + 1] ?? '')) return -1;
      return i;
    }
  }
  return -1;
}

/** A `$$ … $$` or `\[ … \]` block starting at a line start, possibly over several lines. */
function mathBlock(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  let pos = state.bMarks[startLine] + state.tShift[startLine];
  let max = state.eMarks[startLine];
  if (state.sCount[startLine] - state.blkIndent >= 4) return false;
  const first = state.src.slice(pos, max);
  const opener = first.startsWith('$$') ? '$$' : first.startsWith('\\[') ? '\\[' : null;
  if (opener === null) return false;
  const closer = opener === '$$' ? '$$' : '\\]';
  pos += 2;
  let content: string;
  let line = startLine;
  const sameLine = state.src.slice(pos, max);
  const closeAt = sameLine.indexOf(closer);
  if (closeAt >= 0) {
    if (sameLine.slice(closeAt + 2).trim() !== '') return false; // text after the formula: inline math
    content = sameLine.slice(0, closeAt);
  } else {
    const parts = [sameLine];
    let found = false;
    while (++line < endLine) {
      pos = state.bMarks[line] + state.tShift[line];
      max = state.eMarks[line];
      if (pos < max && state.sCount[line] < state.blkIndent) break;
      const text = state.src.slice(pos, max);
      const at = text.indexOf(closer);
      if (at >= 0) {
        if (text.slice(at + 2).trim() !== '') return false;
        parts.push(text.slice(0, at));
        found = true;
        break;
      }
      parts.push(text);
    }
    if (!found) return false;
    content = parts.join('\n');
  }
  if (silent) return true;
  state.line = line + 1;
  const token = state.push('math_block', 'math', 0);
  token.block = true;
  token.content = content;
  token.map = [startLine, state.line];
  return true;
}

export interface MarkdownRenderer {
  render(text: string): string;
}

export function createMarkdownRenderer(): MarkdownRenderer {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false, breaks: false });
  md.inline.ruler.before('escape', 'math_inline', mathInline);
  md.block.ruler.before('fence', 'math_block', mathBlock, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });
  const rules = md.renderer.rules;
  // `render` always passes an env; a bare md.render() call gets a fresh budget per formula.
  const budget = (env: unknown): RenderEnv => (env as RenderEnv | undefined) ?? { formulas: 0 };
  rules.math_inline = (tokens, idx, _options, env) =>
    renderFormula(tokens[idx].content, Boolean(tokens[idx].meta?.display), budget(env));
  rules.math_block = (tokens, idx, _options, env) =>
    `<div class="math-block">${renderFormula(tokens[idx].content, true, budget(env))}</div>\n`;
  rules.link_open = (tokens, idx) =>
    `<span class="md-link" title="${escapeHtml(String(tokens[idx].attrGet('href') ?? ''))}">`;
  rules.link_close = () => '</span>';
  rules.image = (tokens, idx) => {
    const alt = tokens[idx].children?.map((t) => t.content).join('') ?? '';
    return `<span class="md-image" title="${escapeHtml(String(tokens[idx].attrGet('src') ?? ''))}">[image${alt ? `: ${escapeHtml(alt)}` : ''}]</span>`;
  };
  return {
    render(text: string): string {
      if (text.length > MAX_MARKDOWN_CHARS) {
        return `<pre class="md-plain" title="shown as plain text: ${text.length} characters">${escapeHtml(text)}</pre>`;
      }
      const env: RenderEnv = { formulas: 0 };
      return md.render(text, env);
    },
  };
}
