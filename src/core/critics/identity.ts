import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { COMMON_FIELDS, CRITIC_TYPES, CriticFieldSpec, isCriticType, readCriticFields } from '../config/critics';
import { canonicalJson } from './cache';
import { configPath } from './configPath';
import { PRM_JSON } from './onnx/folder';
import { CriticConfig } from './types';

/**
 * The one cache identity of a critic: a hash of its settings that change its answers, as the critic table declares
 * them (`affectsAnswers` in src/core/config/critics.ts), with defaults applied (an explicit default and an omitted
 * field are the same identity) and with what the configuration points to that changes answers: a prompt template's
 * content, a model folder's prm.json and weights. Names, keys, pacing and request limits never count, so renaming a
 * critic or changing its concurrency keeps its results. Both result stores use it: the request cache
 * (`CacheableCritic.cacheIdentity`) and the dataset view's run log.
 */

export interface IdentityOptions {
  /** Folder that relative paths in the configuration are resolved from, as the critic's factory does. */
  baseDir?: string;
  /**
   * The store keeps step scores and the critic applies its verdict settings (a threshold) again on a hit: those
   * settings stay out of the identity. Off for a store of predictions, which a new threshold changes.
   */
  verdictsReapplied?: boolean;
  /** What the critic loaded for a `file` field (its template), used instead of reading the file again. */
  loaded?: Readonly<Record<string, string>>;
}

/** Bumped when the meaning of an identity changes, so results stored under the old ones are not misread. */
const IDENTITY_FORMAT = 2;

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function criticIdentity(config: CriticConfig, options: IdentityOptions = {}): string {
  const specs: Record<string, CriticFieldSpec> = {
    ...COMMON_FIELDS,
    ...(isCriticType(config.type) ? CRITIC_TYPES[config.type].fields : {}),
  };
  const settings: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(normalisedFields(config))) {
    const effect = specs[field]?.affectsAnswers;
    if (effect === false || (effect === 'verdicts' && options.verdictsReapplied)) continue;
    if (effect === 'unless-default' && value === specs[field].default) continue;
    if (effect === 'file') {
      const loaded = options.loaded?.[field];
      settings[field] =
        loaded !== undefined ? sha(loaded) : typeof value === 'string' ? fileDigest(filePath(value, options)) : value;
    } else if (effect === 'model-folder' && typeof value === 'string') {
      settings[field] = modelFolderIdentity(filePath(value, options));
    } else {
      settings[field] = value;
    }
  }
  return sha(canonicalJson({ format: IDENTITY_FORMAT, type: config.type, settings })).slice(0, 32);
}

/**
 * The fields as the critic's factory reads them (defaults filled in, URLs without trailing slashes). A configuration
 * the factory would refuse cannot run, but views still ask for its identity: its fields are taken as written.
 */
function normalisedFields(config: CriticConfig): Record<string, unknown> {
  if (!isCriticType(config.type)) return config;
  try {
    return readCriticFields(config, config.type);
  } catch {
    return config;
  }
}

/** A relative path from `baseDir` (else the current folder), as prompt templates are read. */
/**
 * The file a field names, found as the critic finds it (configPath); a path the critic would refuse (relative, with
 * no folder to resolve it in) stays as written: such a critic fails to build, so its identity is never used.
 */
function filePath(file: string, options: IdentityOptions): string {
  try {
    return configPath(file, options.baseDir, '', '');
  } catch {
    return file;
  }
}

/** File digests by path, kept while the file's inode, size and modification time stay the same. */
const digests = new Map<string, { stamp: string; digest: string | null }>();

/**
 * The SHA-256 of a file's bytes, null when it cannot be read (the critic then fails to build). Read synchronously,
 * and again only when the file changed: views ask for identities as they render.
 */
function fileDigest(file: string): string | null {
  let stamp: string;
  try {
    const s = statSync(file);
    stamp = `${s.ino}:${s.size}:${s.mtimeMs}`;
  } catch {
    return null;
  }
  const known = digests.get(file);
  if (known?.stamp === stamp) return known.digest;
  let digest: string | null = null;
  try {
    digest = sha(readFileSync(file));
  } catch {
    // Unreadable: no digest, like a missing file.
  }
  digests.set(file, { stamp, digest });
  return digest;
}

function listing(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * A local model's identity: its prm.json's content, and the name, size and modification time of the tokenizer and
 * of every file beside its ONNX graphs (their external weight files among them). Weights are gigabytes, so they are
 * not hashed: replacing them changes their size or date.
 */
function modelFolderIdentity(folder: string): unknown {
  const prmFile = path.join(folder, PRM_JSON);
  let named: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(prmFile, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null) named = parsed as Record<string, unknown>;
  } catch {
    // A missing or broken prm.json: the critic fails to load; its digest (null) still names the state.
  }
  const files = new Map<string, [number, number]>();
  const note = (file: string) => {
    try {
      const s = statSync(file);
      if (s.isFile()) files.set(path.relative(folder, file), [s.size, s.mtimeMs]);
    } catch {
      // A missing file is left out: the listing without it is the identity.
    }
  };
  const graphs = [named.model, named.referenceModel].filter((g): g is string => typeof g === 'string');
  for (const dir of new Set(graphs.map((g) => path.dirname(path.resolve(folder, g))))) {
    for (const name of listing(dir)) if (path.join(dir, name) !== prmFile) note(path.join(dir, name));
  }
  if (typeof named.tokenizer === 'string') note(path.resolve(folder, named.tokenizer));
  return { prm: fileDigest(prmFile), files: [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
}
