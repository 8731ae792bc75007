import { readFile } from 'node:fs/promises';
import { CriticConfig } from '../core/critics/types';
import { parseCriticConfigs, withBuiltins } from '../core/critics/registry';
import { InputIssue } from '../core/datasets/types';

/** An error the user can fix (bad arguments or input): message on stderr, exit code 2. */
export class UsageError extends Error {}

/** A file with no solution text: nothing to segment or score is bad input, not an empty success. */
export function emptySolution(file: string): UsageError {
  return new UsageError(`${file}: no steps: the solution is empty`);
}

export function formatIssue(issue: InputIssue): string {
  const where = [issue.file, issue.line !== undefined ? `line ${issue.line}` : issue.index !== undefined ? `item ${issue.index}` : undefined]
    .filter(Boolean)
    .join(':');
  return `${where}: ${issue.field ? `${issue.field}: ` : ''}${issue.message}`;
}

/** Loads `{"critics": [...]}` (the shape of the `prmLens.critics` setting); built-in critics are always added. */
export async function loadCriticConfigs(file: string | undefined): Promise<CriticConfig[]> {
  if (!file) return withBuiltins([]);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot read the critics config: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  const { configs, errors } = parseCriticConfigs((parsed as { critics?: unknown } | null)?.critics, file);
  if (errors.length > 0) throw new UsageError(errors.join('\n'));
  return withBuiltins(configs);
}

export function writeJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Shortens text to one line of at most `width` characters for tables. */
export function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}

/** Lays out rows as aligned columns (left-aligned text, right-aligned numbers). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const numeric = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[-\d.—]*$/.test(r[i])));
  const line = (cells: string[]) => cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
