import { readFile } from 'node:fs/promises';
import { configPath } from '../configPath';
import { CriticConfigError } from '../types';
import { errorMessage } from '../../util/errors';
import { pyFormat, pyTemplateProblem } from './py-format';

/**
 * Prompts for LLM critics. Templates are plain text with placeholders replaced in one pass (so a problem that
 * happens to contain "{{paragraphs}}" stays literal): {{problem}}, {{paragraphs}} (the steps, each wrapped in
 * <paragraph_i>…</paragraph_i> with i from 0), {{count}} (number of steps) and {{last}} (index of the last step).
 */
export const PLACEHOLDERS = ['problem', 'paragraphs', 'count', 'last'] as const;
const REQUIRED = ['problem', 'paragraphs'];

/** ProcessBench's structure in our words: indexed paragraphs, a review of each, the earliest error (or -1) boxed. */
export const DEFAULT_FIRST_ERROR_TEMPLATE = `Below is a math problem and a proposed solution. The solution is split into {{count}} paragraphs, numbered from 0 to {{last}}; each one is enclosed in tags such as <paragraph_0> and </paragraph_0>.

[Problem]
{{problem}}

[Solution]
{{paragraphs}}

Check the solution one paragraph at a time, in order. For each paragraph, start a new line with "Paragraph i:" (i is its number) and say whether its reasoning and calculations are correct, and why.

Your task is to find the earliest paragraph that contains an error. When you are done, write the number of that paragraph inside \\boxed{}, for example \\boxed{3}. If every paragraph is correct, write \\boxed{-1}.`;

/** Per-step verdicts as JSON, for `mode: "per-step"`. */
export const DEFAULT_PER_STEP_TEMPLATE = `Below is a math problem and a proposed solution. The solution is split into {{count}} paragraphs, numbered from 0 to {{last}}; each one is enclosed in tags such as <paragraph_0> and </paragraph_0>.

[Problem]
{{problem}}

[Solution]
{{paragraphs}}

Judge every paragraph on its own merits: is its reasoning and arithmetic correct, given the problem and the paragraphs before it? Answer with a JSON object only, of the form
{"steps": [{"paragraph": 0, "explanation": "…", "correct": true}, …]}
with one entry for each paragraph from 0 to {{last}}, in order.`;

/** Step verdicts written in text, for `mode: "verifier"` (ThinkPRM-style; its verdictPattern reads the boxes). */
export const DEFAULT_VERIFIER_TEMPLATE = `Below is a math problem and a proposed solution. The solution is split into {{count}} paragraphs, numbered from 0 to {{last}}; each one is enclosed in tags such as <paragraph_0> and </paragraph_0>.

[Problem]
{{problem}}

[Solution]
{{paragraphs}}

Verify the solution one paragraph at a time, in order. For each paragraph, start a new line with "Paragraph i:" (i is its number), check its reasoning and calculations, and end with "The step is \\boxed{correct}" or "The step is \\boxed{incorrect}".`;

export function taggedParagraphs(steps: readonly string[]): string {
  return steps.map((s, i) => `<paragraph_${i}>\n${s}\n</paragraph_${i}>`).join('\n\n');
}

export function renderPrompt(template: string, problem: string, steps: readonly string[]): string {
  const values: Record<string, string> = {
    problem,
    paragraphs: taggedParagraphs(steps),
    count: String(steps.length),
    last: String(steps.length - 1),
  };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/** Checks a template's placeholders; returns a problem description or undefined. */
export function templateProblem(template: string): string | undefined {
  const used = new Set(Array.from(template.matchAll(/\{\{\s*(\w+)\s*\}\}/g), (m) => m[1]));
  const unknown = [...used].filter((n) => !(PLACEHOLDERS as readonly string[]).includes(n));
  if (unknown.length > 0)
    return `unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `{{${n}}}`).join(', ')}; known: ${PLACEHOLDERS.map((n) => `{{${n}}}`).join(', ')}`;
  const missing = REQUIRED.filter((n) => !used.has(n));
  if (missing.length > 0) return `missing ${missing.map((n) => `{{${n}}}`).join(' and ')}`;
  return undefined;
}

/** A loaded prompt: PRM Lens's `{{placeholder}}` syntax (promptTemplate) or str.format's (promptTemplateFile). */
export interface PromptTemplate {
  syntax: 'prm-lens' | 'python';
  text: string;
}

/** The user message for one solution; `tagged_response` is `{{paragraphs}}`, as ProcessBench builds it. */
export function renderTemplate(template: PromptTemplate, problem: string, steps: readonly string[]): string {
  if (template.syntax === 'prm-lens') return renderPrompt(template.text, problem, steps);
  return pyFormat(template.text, { problem, tagged_response: taggedParagraphs(steps) });
}

/**
 * Reads a user's template file (relative paths from `baseDir`: the config file's folder, or the trusted workspace):
 * `promptTemplate` in PRM Lens's syntax, `promptTemplateFile` in the benchmark's (Python str.format).
 */
export async function loadTemplate(
  path: string,
  baseDir: string | undefined,
  criticId: string,
  field: 'promptTemplate' | 'promptTemplateFile' = 'promptTemplate',
): Promise<string> {
  const file = configPath(path, baseDir, criticId, field);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const message = `critic "${criticId}": cannot read ${field} ${file}: ${errorMessage(err)}`;
    throw new CriticConfigError(message, criticId, field);
  }
  const problem = field === 'promptTemplate' ? templateProblem(text) : pyTemplateProblem(text);
  if (problem) throw new CriticConfigError(`critic "${criticId}": ${field} ${file}: ${problem}`, criticId, field);
  return text;
}
