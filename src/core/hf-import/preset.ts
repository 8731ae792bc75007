import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Family, HeadKind } from './config';
import { CheckpointError } from './safetensors';

/**
 * The prm.json an imported model gets: the preset in models/ that matches its architecture and head, or the one the
 * user names (a preset folder name or a prm.json path).
 */

const MATCHING: { family: Family; head: HeadKind; preset: string }[] = [
  { family: 'qwen2', head: 'token-classification', preset: 'qwen2.5-math-prm-7b' },
  { family: 'qwen2', head: 'value', preset: 'skywork-o1-open-prm-qwen-2.5-7b' },
  { family: 'mistral', head: 'lm', preset: 'math-shepherd-mistral-7b-prm' },
  { family: 'llama', head: 'lm', preset: 'rlhflow-llama3.1-8b-prm' },
];

/** The shipped presets: `models/` next to the bundle (dist/../models) or above the compiled sources. */
export function findPresetsDir(from = __dirname): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'models');
    if (existsSync(path.join(candidate, MATCHING[0].preset, 'prm.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

export interface ChosenPreset {
  name: string;
  file: string;
  prm: Record<string, unknown>;
}

export function choosePreset(
  family: Family,
  head: HeadKind,
  requested: string | undefined,
  presetsDir: string | undefined,
): ChosenPreset {
  let file: string;
  if (requested && (requested.endsWith('.json') || requested.includes(path.sep) || requested.includes('/'))) {
    file = path.resolve(requested.endsWith('.json') ? requested : path.join(requested, 'prm.json'));
  } else {
    const name = requested ?? MATCHING.find((m) => m.family === family && m.head === head)?.preset;
    if (!name) {
      const known = MATCHING.map((m) => `${m.preset} (${m.family}, ${m.head})`).join(', ');
      throw new CheckpointError(
        `no preset matches a ${family} model with a ${head} head: name the prm.json to use with --preset (a folder in models/ or a prm.json path; presets: ${known})`,
      );
    }
    if (!presetsDir)
      throw new CheckpointError(`the presets folder (models/) was not found; pass --preset with a prm.json path`);
    file = path.join(presetsDir, name, 'prm.json');
  }
  let prm: unknown;
  try {
    prm = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CheckpointError(
      `${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such preset' : 'not a readable JSON prm.json'}`,
    );
  }
  if (typeof prm !== 'object' || prm === null || Array.isArray(prm))
    throw new CheckpointError(`${file}: not a JSON object`);
  const p = prm as Record<string, unknown>;
  if (p.referenceModel !== undefined)
    throw new CheckpointError(
      `${file}: this preset needs a second (reference) model; import each model on its own and assemble the folder as models/README.md describes`,
    );
  const prmFamily = p.family;
  const wanted = head === 'token-classification' ? 'token-classification' : head === 'value' ? 'value-head' : undefined;
  if (wanted ? prmFamily !== wanted : prmFamily === 'token-classification' || prmFamily === 'value-head')
    throw new CheckpointError(`${file}: a ${String(prmFamily)} preset does not fit a model with a ${head} head`);
  return { name: path.basename(path.dirname(file)), file, prm: p };
}
