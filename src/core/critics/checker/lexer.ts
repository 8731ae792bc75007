import { Rational, rational } from './value';

/**
 * Splits a step (plain text, Markdown and LaTeX mixed) into tokens with UTF-16 source offsets.
 * LaTeX is flattened: `\times` becomes `*`, `\text{..}` and `\boxed{..}` are see-through, `\left(` is `(`.
 */

export type TokenKind =
  | 'num' // a number literal
  | 'op' // + - * / ^
  | 'open' // ( [ {
  | 'close' // ) ] }
  | 'eq' // =
  | 'approx' // ≈, \approx
  | 'rel' // <, ≤, ≠, \equiv … (never checked)
  | 'arrow' // ⇒, \implies, \therefore … (a clean break between statements)
  | 'word' // letters, with digits glued after them (x2, H2O)
  | 'cmd' // a LaTeX command with meaning for expressions (frac, sqrt, binom) or an unknown one
  | 'punct' // . , ; : ? ! quotes, Markdown marks, emoji
  | 'newline' // a line break or LaTeX `\\`
  | 'dollar' // `$`, `\(`: a math delimiter or a currency sign, undecidable, so see-through
  | 'currency' // `\$`, €, £ …
  | 'percent'
  | 'pi'
  | 'root' // √ ∛ ∜ (sym: the index)
  | 'degree'
  | 'tilde' // `~` glued to a number: "about"
  | 'other'; // anything that makes a neighbouring expression unreadable (|, _, ', …)

export interface NumberLiteral {
  value: Rational;
  /** Digits written after the decimal point. */
  decimals: number;
  thousands: boolean;
  /** Leading zeros or several decimal points (dates, times, versions): not a quantity. */
  odd: boolean;
}

export interface Token {
  kind: TokenKind;
  /** Normalized symbol: the operator, the command name, the word or number as written, the punctuation mark. */
  sym: string;
  start: number;
  end: number;
  /** Whitespace (or a LaTeX spacing command, or a math delimiter) separates this token from the previous one. */
  spaceBefore: boolean;
  num?: NumberLiteral;
}

export function tokenize(text: string): Token[] {
  return new Lexer(text).run();
}

type Lexeme = [TokenKind, string];

const CHARS: Record<string, Lexeme> = {
  '+': ['op', '+'],
  '-': ['op', '-'],
  '−': ['op', '-'],
  '–': ['op', '-'],
  '*': ['op', '*'],
  '×': ['op', '*'],
  '·': ['op', '*'],
  '⋅': ['op', '*'],
  '∙': ['op', '*'],
  '/': ['op', '/'],
  '÷': ['op', '/'],
  '^': ['op', '^'],
  '(': ['open', '('],
  '[': ['open', '['],
  ')': ['close', ')'],
  ']': ['close', ']'],
  '=': ['eq', '='],
  '%': ['percent', '%'],
  '°': ['degree', '°'],
  π: ['pi', 'pi'],
  '√': ['root', '2'],
  '∛': ['root', '3'],
  '∜': ['root', '4'],
};
for (const c of '<>≤≥≠≡∝≪≫⩽⩾∈∉⊂⊆') CHARS[c] = ['rel', c];
for (const c of '≈≃≅∼≒') CHARS[c] = ['approx', c];
for (const c of '→⇒⟹↔⇔⟶∴∵—') CHARS[c] = ['arrow', c];
for (const c of '€£¥₹₩₽') CHARS[c] = ['currency', c];
for (const c of '.,;:?!"“”`#•') CHARS[c] = ['punct', c];

/** Two-character marks, tried before single characters. */
const PAIRS: Record<string, Lexeme> = {
  '**': ['punct', '**'], // Markdown bold, not a power
  '->': ['arrow', '->'],
  '=>': ['arrow', '=>'],
  '<<': ['arrow', '<<'], // GSM8K calculator annotations <<2*3=6>>
  '>>': ['arrow', '>>'],
  '<=': ['rel', '<='],
  '>=': ['rel', '>='],
  '!=': ['rel', '!='],
  '==': ['other', '=='],
  ':=': ['other', ':='],
};

const SUPERSCRIPTS: Record<string, string> = {
  '⁰': '0',
  '¹': '1',
  '²': '2',
  '³': '3',
  '⁴': '4',
  '⁵': '5',
  '⁶': '6',
  '⁷': '7',
  '⁸': '8',
  '⁹': '9',
};
const VULGAR_FRACTIONS: Record<string, [number, number]> = {
  '½': [1, 2],
  '⅓': [1, 3],
  '⅔': [2, 3],
  '¼': [1, 4],
  '¾': [3, 4],
  '⅕': [1, 5],
  '⅖': [2, 5],
  '⅗': [3, 5],
  '⅘': [4, 5],
  '⅙': [1, 6],
  '⅚': [5, 6],
  '⅛': [1, 8],
  '⅜': [3, 8],
  '⅝': [5, 8],
  '⅞': [7, 8],
};

/** Commands whose braces are see-through: their content is read as if written bare. */
const WRAPPERS = new Set([
  'text',
  'textrm',
  'textnormal',
  'mathrm',
  'mbox',
  'textbf',
  'mathbf',
  'textit',
  'mathit',
  'emph',
  'boxed',
  'fbox',
  'underline',
  'operatorname',
  'mathsf',
  'textsf',
  'bm',
  'boldsymbol',
  'hbox',
]);
/** Commands that vanish (sizes, styles, delimiter modifiers). */
const IGNORED = new Set([
  'left',
  'right',
  'big',
  'bigl',
  'bigr',
  'Big',
  'Bigl',
  'Bigr',
  'bigg',
  'biggl',
  'biggr',
  'Bigg',
  'Biggl',
  'Biggr',
  'displaystyle',
  'textstyle',
  'scriptstyle',
  'limits',
  'nolimits',
  'middle',
]);
const SPACES = new Set(['quad', 'qquad', 'enspace', 'thinspace', 'medspace', 'thickspace', 'space', 'nobreakspace']);

const COMMANDS: Record<string, Lexeme> = {
  times: ['op', '*'],
  cdot: ['op', '*'],
  ast: ['op', '*'],
  div: ['op', '/'],
  pi: ['pi', 'pi'],
  degree: ['degree', '°'],
  circ: ['degree', '°'],
  percent: ['percent', '%'],
  euro: ['currency', '€'],
  pounds: ['currency', '£'],
  yen: ['currency', '¥'],
  dfrac: ['cmd', 'frac'],
  tfrac: ['cmd', 'frac'],
  cfrac: ['cmd', 'frac'],
  dbinom: ['cmd', 'binom'],
  tbinom: ['cmd', 'binom'],
};
for (const name of [
  'le',
  'leq',
  'ge',
  'geq',
  'lt',
  'gt',
  'ne',
  'neq',
  'll',
  'gg',
  'leqslant',
  'geqslant',
  'equiv',
  'cong',
  'propto',
  'subset',
  'subseteq',
  'in',
  'notin',
  'not',
  'nless',
  'ngtr',
  'lesssim',
  'gtrsim',
]) {
  COMMANDS[name] = ['rel', name];
}
for (const name of ['approx', 'simeq', 'approxeq', 'thickapprox', 'sim', 'doteq']) COMMANDS[name] = ['approx', name];
for (const name of [
  'Rightarrow',
  'implies',
  'to',
  'rightarrow',
  'Longrightarrow',
  'longrightarrow',
  'iff',
  'Leftrightarrow',
  'Longleftrightarrow',
  'mapsto',
  'therefore',
  'because',
]) {
  COMMANDS[name] = ['arrow', name];
}

const THOUSANDS = /\d{1,3}(?:(?:,|\{,\}|\\,)\d{3})+(?![0-9])/y;
const DIGITS = /\d*/y;
const DECIMALS = /\.(\d+)/y;
const MORE_DECIMALS = /(?:\.\d+)+/y;
/** Digits glued after letters belong to the name: t0, x2, H2O. */
const WORD = /\p{L}[\p{L}0-9]*(?:['’]\p{L}+)*/uy;
const LATEX_DEGREE = /\^\s*(?:\\circ\b|\{\s*\\circ\s*\})/y;
const COMMAND_NAME = /[A-Za-z]+/y;
const ENVIRONMENT = /\s*\{([A-Za-z]+)\*?\}/y;
const DISPLAY_ENVIRONMENTS = new Set([
  'align',
  'aligned',
  'equation',
  'gather',
  'gathered',
  'multline',
  'eqnarray',
  'split',
]);

class Lexer {
  private readonly tokens: Token[] = [];
  /** For each open `{`: whether it belongs to a see-through wrapper. */
  private readonly braces: boolean[] = [];
  private space = false;
  private i = 0;

  constructor(private readonly text: string) {}

  run(): Token[] {
    while (this.i < this.text.length) this.next();
    return this.tokens;
  }

  private push(kind: TokenKind, sym: string, start: number, end: number, num?: NumberLiteral): void {
    this.tokens.push({ kind, sym, start, end, spaceBefore: this.space, ...(num ? { num } : {}) });
    this.space = false;
  }

  /** Emits a token for the next `length` characters. */
  private emit([kind, sym]: Lexeme, length: number): void {
    this.push(kind, sym, this.i, this.i + length);
    this.i += length;
  }

  /** The match of a sticky pattern at `at`, or null. */
  private matchAt(re: RegExp, at: number): RegExpExecArray | null {
    re.lastIndex = at;
    return re.exec(this.text);
  }

  private next(): void {
    const { text, i } = this;
    const c = text[i];
    const after = text[i + 1] ?? '';
    if (c === '\n' || c === '\r') return this.newline();
    if (/\s/.test(c) || c === '&') {
      // `&` aligns LaTeX environments.
      this.space = true;
      this.i++;
      return;
    }
    if (c === '\\') return this.command();
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(after) && !/[0-9.]/.test(text[i - 1] ?? '')))
      return this.number();
    if (c in SUPERSCRIPTS) return this.superscript();
    if (c in VULGAR_FRACTIONS) {
      const [n, d] = VULGAR_FRACTIONS[c];
      this.push('num', c, i, i + 1, { value: rational(n, d), decimals: 0, thousands: false, odd: false });
      this.i++;
      return;
    }
    if (c !== 'π' && /\p{L}/u.test(c)) {
      const word = this.matchAt(WORD, i)![0];
      return this.emit(['word', word], word.length);
    }
    if (c + after in PAIRS) return this.emit(PAIRS[c + after], 2);
    if (c === '$') {
      this.emit(['dollar', '$'], after === '$' ? 2 : 1);
      // A math delimiter separates what it stands between: "- $-6 + 17$" is a bullet, then -6.
      this.space = true;
      return;
    }
    if ('-*+'.includes(c) && /[ \t]/.test(after) && this.atLineStart()) return this.emit(['punct', '•'], 1);
    if (c === '^') {
      const degree = this.matchAt(LATEX_DEGREE, i);
      if (degree) return this.emit(['degree', '°'], degree[0].length);
    }
    if (c === '~') {
      // "~5" reads "about 5"; elsewhere `~` is a LaTeX non-breaking space.
      if (/[0-9.]/.test(after) && !/[\p{L}\p{N}]/u.test(text[i - 1] ?? '')) return this.emit(['tilde', '~'], 1);
      this.space = true;
      this.i++;
      return;
    }
    if (c === '{') {
      this.braces.push(false);
      return this.emit(['open', '{'], 1);
    }
    if (c === '}') {
      if (this.braces.pop()) this.i++;
      else this.emit(['close', '}'], 1);
      return;
    }
    if (c in CHARS) return this.emit(CHARS[c], 1);
    const char = String.fromCodePoint(text.codePointAt(i)!);
    // Emoji and marks like ✓: decoration between statements.
    this.emit([/\p{Extended_Pictographic}/u.test(char) ? 'punct' : 'other', char], char.length);
  }

  private newline(): void {
    const start = this.i;
    while (this.i < this.text.length && /\s/.test(this.text[this.i])) this.i++;
    this.push('newline', '\n', start, start + 1);
  }

  private atLineStart(): boolean {
    let k = this.i - 1;
    while (k >= 0 && (this.text[k] === ' ' || this.text[k] === '\t')) k--;
    return k < 0 || this.text[k] === '\n';
  }

  private superscript(): void {
    const start = this.i;
    let digits = '';
    while (this.text[this.i] in SUPERSCRIPTS) digits += SUPERSCRIPTS[this.text[this.i++]];
    this.push('op', '^', start, start);
    this.push('num', digits, start, this.i, integerLiteral(digits));
  }

  private number(): void {
    const at = this.i;
    const grouped = this.matchAt(THOUSANDS, at);
    const head = grouped ? grouped[0] : this.matchAt(DIGITS, at)![0];
    const intPart = head.replace(/\{,\}|\\,|,/g, '');
    let end = at + head.length;
    const decimals = this.matchAt(DECIMALS, end);
    const frac = decimals ? decimals[1] : '';
    if (decimals) end += decimals[0].length;
    let odd = intPart.length > 1 && intPart.startsWith('0');
    const more = this.matchAt(MORE_DECIMALS, end);
    if (more) {
      odd = true;
      end += more[0].length;
    }
    const value = rational(BigInt((intPart || '0') + frac), 10n ** BigInt(frac.length));
    this.push('num', this.text.slice(at, end), at, end, {
      value,
      decimals: frac.length,
      thousands: grouped !== null,
      odd,
    });
    this.i = end;
  }

  private command(): void {
    const { text, i } = this;
    const after = text[i + 1] ?? '';
    if (after === '\\') return this.emit(['newline', '\\\\'], 2);
    if (!/[A-Za-z]/.test(after)) return this.symbolCommand(after);
    const name = this.matchAt(COMMAND_NAME, i + 1)![0];
    const end = i + 1 + name.length;
    if (IGNORED.has(name)) {
      // `\left.` and `\right.` are invisible delimiters.
      this.i = (name === 'left' || name === 'right') && text[end] === '.' ? end + 1 : end;
      return;
    }
    if (name === 'begin' || name === 'end') {
      // Display environments (align, equation) separate statements; matrices and cases hold structure.
      const env = this.matchAt(ENVIRONMENT, end);
      const display = env !== null && DISPLAY_ENVIRONMENTS.has(env[1]);
      this.i = end + (env ? env[0].length : 0);
      this.push(display ? 'newline' : 'other', display ? '\n' : name, i, this.i);
      return;
    }
    if (SPACES.has(name)) {
      this.space = true;
      this.i = end;
      return;
    }
    if (WRAPPERS.has(name)) {
      let j = end;
      while (text[j] === ' ') j++;
      this.i = end;
      if (text[j] === '{') {
        this.braces.push(true);
        this.space = true;
        this.i = j + 1;
      }
      return;
    }
    const lexeme = COMMANDS[name] ?? ['cmd', name];
    this.emit(lexeme, end - i);
    if (lexeme[0] === 'cmd' && (lexeme[1] === 'frac' || lexeme[1] === 'sqrt'))
      this.bareDigits(lexeme[1] === 'frac' ? 2 : 1);
  }

  /** `\,` and friends, `\$`, `\%`, `\(`, `\{` … */
  private symbolCommand(c: string): void {
    if (c === '') this.emit(['other', '\\'], 1);
    else if (',;:! >'.includes(c)) {
      this.space = true;
      this.i += 2;
    } else if (c === '$') this.emit(['currency', '$'], 2);
    else if (c === '%') this.emit(['percent', '%'], 2);
    else if ('()[]'.includes(c)) {
      this.emit(['dollar', '$'], 2);
      this.space = true;
    } else this.emit(['other', `\\${c}`], 2);
  }

  /** `\frac12`, `\sqrt2`: bare digits are one-character arguments. */
  private bareDigits(count: number): void {
    let j = this.i;
    while (this.text[j] === ' ') j++;
    if (!/[0-9]/.test(this.text[j] ?? '')) return;
    this.i = j;
    for (let k = 0; k < count && /[0-9]/.test(this.text[this.i] ?? ''); k++) {
      const at = this.i;
      this.push('open', '{', at, at);
      this.push('num', this.text[at], at, at + 1, integerLiteral(this.text[at]));
      this.push('close', '}', at + 1, at + 1);
      this.i++;
    }
  }
}

function integerLiteral(digits: string): NumberLiteral {
  return { value: rational(BigInt(digits)), decimals: 0, thousands: false, odd: false };
}
