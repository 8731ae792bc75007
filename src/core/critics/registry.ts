import { COMMON_FIELDS, CRITIC_TYPES, CriticType, isCriticType } from '../config/critics';
import { problemWith } from '../config/spec';
import { Critic, CriticConfig, CriticConfigError, CriticContext } from './types';

/** Builds a critic from its configuration; heavy critics load their modules only when built. */
type CriticFactory = (config: CriticConfig, context: CriticContext) => Promise<Critic>;

const factories: Record<CriticType, CriticFactory> = {
  checker: async (config) => (await import('./checker/index.js')).createChecker(config),
  'openai-critic': async (config, context) =>
    (await import('./remote/openai-critic.js')).createOpenAICritic(config, context, context.baseDir),
  'chat-prm': async (config, context) => (await import('./remote/chat-prm.js')).createChatPrm(config, context),
  'vllm-pooling': async (config, context) =>
    (await import('./remote/vllm-pooling.js')).createVllmPooling(config, context),
  onnx: async (config, context) => (await import('./onnx/critic.js')).createOnnxCritic(config, context),
};

/** Critics that exist without any configuration. */
export const BUILTIN_CRITICS: readonly CriticConfig[] = [{ id: 'checker', type: 'checker' }];

export function knownCriticTypes(): string[] {
  return Object.keys(CRITIC_TYPES);
}

/**
 * Checks the shape of a critics list (the `prmLens.critics` setting or a `--config` file's `critics`).
 * Returns the valid entries and one message per invalid one, naming where it came from.
 */
export function parseCriticConfigs(raw: unknown, source: string): { configs: CriticConfig[]; errors: string[] } {
  const configs: CriticConfig[] = [];
  const errors: string[] = [];
  if (!Array.isArray(raw)) {
    errors.push(`${source}: "critics" must be an array of critic objects`);
    return { configs, errors };
  }
  const seen = new Set<string>();
  raw.forEach((entry, i) => {
    const where = `${source}: critics[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      errors.push(`${where} must be an object with "id" and "type"`);
      return;
    }
    const { id, type } = entry as Record<string, unknown>;
    if (typeof id !== 'string' || problemWith(COMMON_FIELDS.id, id) !== undefined) {
      errors.push(`${where}.id must be ${COMMON_FIELDS.id.patternMessage}`);
      return;
    }
    if (!isCriticType(type)) {
      errors.push(`${where}.type is ${JSON.stringify(type)}; known types: ${knownCriticTypes().join(', ')}`);
      return;
    }
    if (seen.has(id)) {
      errors.push(`${where}.id "${id}" is used twice`);
      return;
    }
    seen.add(id);
    configs.push(entry as CriticConfig);
  });
  return { configs, errors };
}

/** All configured critics plus the built-in ones not overridden by id. */
export function withBuiltins(configs: readonly CriticConfig[]): CriticConfig[] {
  const ids = new Set(configs.map((c) => c.id));
  return [...configs, ...BUILTIN_CRITICS.filter((b) => !ids.has(b.id))];
}

export async function createCritic(config: CriticConfig, context: CriticContext = {}): Promise<Critic> {
  if (!isCriticType(config.type)) {
    throw new CriticConfigError(
      `critic "${config.id}" has unknown type "${config.type}"; known types: ${knownCriticTypes().join(', ')}`,
      config.id,
      'type',
    );
  }
  return factories[config.type](config, context);
}

/** Picks the configurations for the requested ids, failing with the list of available ids for an unknown one. */
export function selectCritics(configs: readonly CriticConfig[], ids: readonly string[]): CriticConfig[] {
  return ids.map((id) => {
    const found = configs.find((c) => c.id === id);
    if (!found) {
      throw new CriticConfigError(`unknown critic "${id}"; available: ${configs.map((c) => c.id).join(', ')}`, id);
    }
    return found;
  });
}
