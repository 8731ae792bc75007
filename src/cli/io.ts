import { readInputBytes } from '../core/datasets/files';
import { CriticConfig } from '../core/critics/types';
import { parseCriticConfigs, withBuiltins } from '../core/critics/registry';
import { decodeBytes, describeInvalidUtf8 } from '../core/datasets/encoding';
import { InputIssue } from '../core/datasets/types';
import { forTerminal } from '../core/util/terminal';
import { clip } from '../core/util/text';
import { errorMessage } from '../core/util/errors';

/** An error the user can fix (bad arguments or input): message on stderr, exit code 2. */
export class UsageError extends Error {}

/** A file with no solution text: nothing to segment or score is bad input, not an empty success. */
export function emptySolution(file: string): UsageError {
  return new UsageError(`${file}: no steps: the solution is empty`);
}

/** An input issue as one line for stderr (its text comes from the input: control characters are neutralised). */
export function formatIssue(issue: InputIssue): string {
  const where = [
    issue.file,
    issue.line !== undefined ? `line ${issue.line}` : issue.index !== undefined ? `item ${issue.index}` : undefined,
  ]
    .filter(Boolean)
    .join(':');
  return forTerminal(`${where}: ${issue.field ? `${issue.field}: ` : ''}${issue.message}`);
}

/**
 * Reads a text file: UTF-8, or UTF-16 with a byte-order mark (the mark is dropped). Invalid UTF-8 is read with U+FFFD
 * in its place and each line holding it is returned as an issue.
 */
export async function readTextFile(file: string, what = 'Input file'): Promise<{ text: string; issues: InputIssue[] }> {
  const { text, invalid } = decodeBytes(await readInputBytes(file, what));
  const issues = invalid.map((found) => ({
    file,
    ...('line' in found ? { line: found.line } : {}),
    message: describeInvalidUtf8(found),
  }));
  return { text, issues };
}

/** Loads `{"critics": [...]}` (the shape of the `prmLens.critics` setting); built-in critics are always added. */
export async function loadCriticConfigs(file: string | undefined): Promise<CriticConfig[]> {
  if (!file) return withBuiltins([]);
  let text: string;
  try {
    const read = await readTextFile(file);
    text = read.text;
    for (const issue of read.issues) console.error(formatIssue(issue));
  } catch (err) {
    throw new UsageError(`${file}: cannot read the critics config: ${errorMessage(err)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON: ${errorMessage(err)}`);
  }
  const { configs, errors } = parseCriticConfigs((parsed as { critics?: unknown } | null)?.critics, file);
  if (errors.length > 0) throw new UsageError(errors.join('\n'));
  return withBuiltins(configs);
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Shortens text to one line of at most `width` characters for tables, safe for a terminal. */
export function oneLine(text: string, width: number): string {
  return clip(forTerminal(text), width);
}

/** Lays out rows as aligned columns (left-aligned text, right-aligned numbers); cells are made safe for a terminal. */
export function table(header: string[], textRows: string[][]): string {
  const rows = textRows.map((r) => r.map(forTerminal));
  // A loop, not Math.max(...column): a spread of 120,000 rows overflows the stack.
  const widths = header.map((h) => forTerminal(h).length);
  for (const r of rows) r.forEach((cell, i) => (widths[i] = Math.max(widths[i], cell.length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-\d.—]*$/.test(r[i])));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header.map(forTerminal)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
