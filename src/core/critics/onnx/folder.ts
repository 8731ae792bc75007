import { readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ResolvedTokens } from './layout';
import { parsePrmSpec, PrmSpec, PrmSpecError } from './spec';
import { PieceTokenizer, resolveTokenRef } from './tokens';
import { errorMessage } from '../../util/errors';

export const PRM_JSON = 'prm.json';

/**
 * A file a model folder names: `size` when it is a regular file inside the folder, else why it cannot be used.
 * Links are followed only while they stay inside the folder: a downloaded folder must not make PRM Lens read (and
 * quote in messages) files elsewhere on the machine. The folder itself may be a link.
 */
export type FolderFileProblem = 'missing' | 'outside' | 'not a file';
export type FolderFile = { file: string; size: number } | { file: string; problem: FolderFileProblem };

export async function locateInFolder(folder: string, relative: string): Promise<FolderFile> {
  const file = path.join(folder, relative);
  let real: string;
  let realFolder: string;
  try {
    [real, realFolder] = await Promise.all([realpath(file), realpath(folder)]);
  } catch {
    return { file, problem: 'missing' };
  }
  const inside = path.relative(realFolder, real);
  const outside = inside === '..' || inside.startsWith(`..${path.sep}`) || path.isAbsolute(inside);
  if (outside) return { file, problem: 'outside' };
  const info = await stat(real).catch(() => undefined);
  if (!info) return { file, problem: 'missing' };
  return info.isFile() ? { file, size: info.size } : { file, problem: 'not a file' };
}

/** The message for a file that cannot be used, after "<file>: ". */
export function folderFileProblem(problem: FolderFileProblem): string {
  if (problem === 'outside') return 'leads out of the model folder (a link or a path outside it), so it is not read';
  return problem === 'missing' ? 'missing' : 'not a regular file';
}

/**
 * Why a file is not JSON, without quoting it: JSON.parse's message may show the start of the text
 * (`Unexpected token 'r', "root:x:0:0"... is not valid JSON`), and a file that is not what it claims may hold anything.
 */
export function notJson(err: unknown): string {
  const message = err instanceof Error ? err.message : '';
  return message !== '' && !message.includes('"') ? `not valid JSON: ${message}` : 'not valid JSON';
}

/** Reads and checks `<folder>/prm.json`; every message names the file. */
export async function readPrmSpec(folder: string): Promise<PrmSpec> {
  const located = await locateInFolder(folder, PRM_JSON);
  const { file } = located;
  if ('problem' in located) {
    throw new PrmSpecError(
      located.problem === 'missing'
        ? `${file}: missing — a model folder needs a prm.json describing its family (see models/ for presets)`
        : `${file}: ${folderFileProblem(located.problem)}`,
    );
  }
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new PrmSpecError(`${file}: cannot be read: ${errorMessage(err)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PrmSpecError(`${file}: ${notJson(err)}`);
  }
  return parsePrmSpec(raw, file);
}

/** Resolves the tokens prm.json names (tag, +/−) against the tokenizer; throws a TokenError naming the field. */
export async function resolveSpecTokens(
  spec: PrmSpec,
  tokenizer: PieceTokenizer,
  vocabSize: number,
): Promise<ResolvedTokens> {
  const resolve = (field: 'stepTag' | 'positiveToken' | 'negativeToken') => {
    const ref = spec[field];
    return ref === undefined ? undefined : resolveTokenRef(ref, tokenizer, field, vocabSize);
  };
  return {
    stepTag: await resolve('stepTag'),
    positive: await resolve('positiveToken'),
    negative: await resolve('negativeToken'),
  };
}
