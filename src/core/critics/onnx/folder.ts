import { readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ResolvedTokens } from './layout';
import { parsePrmSpec, PrmSpec, PrmSpecError } from './spec';
import { PieceTokenizer, resolveTokenRef } from './tokens';

export const PRM_JSON = 'prm.json';

/** A critic's `path`: relative to `baseDir` (the config file's folder, or the workspace), `~` the home folder. */
export function modelFolder(raw: string, baseDir: string | undefined): string {
  const expanded = raw === '~' || raw.startsWith('~/') ? path.join(os.homedir(), raw.slice(1)) : raw;
  return path.resolve(baseDir ?? process.cwd(), expanded);
}

/** Reads and checks `<folder>/prm.json`; every message names the file. */
export async function readPrmSpec(folder: string): Promise<PrmSpec> {
  const file = path.join(folder, PRM_JSON);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PrmSpecError(code === 'ENOENT' ? `${file}: missing — a model folder needs a prm.json describing its family (see models/ for presets)` : `${file}: cannot be read: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new PrmSpecError(`${file}: not valid JSON: ${(err as Error).message}`);
  }
  return parsePrmSpec(raw, file);
}

/** Resolves the tokens prm.json names (tag, +/−) against the tokenizer; throws a TokenError naming the field. */
export async function resolveSpecTokens(spec: PrmSpec, tokenizer: PieceTokenizer, vocabSize: number): Promise<ResolvedTokens> {
  const resolve = (field: 'stepTag' | 'positiveToken' | 'negativeToken') => {
    const ref = spec[field];
    return ref === undefined ? undefined : resolveTokenRef(ref, tokenizer, field, vocabSize);
  };
  return { stepTag: await resolve('stepTag'), positive: await resolve('positiveToken'), negative: await resolve('negativeToken') };
}
