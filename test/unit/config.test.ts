import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configurationContribution, restrictedConfigurations } from '../../src/core/config/contribution';
import { CRITIC_TYPES, CriticType, readCriticFields } from '../../src/core/config/critics';
import { readSettingValues, SettingKey } from '../../src/core/config/settings';
import { createCritic } from '../../src/core/critics/registry';
import { CriticConfig } from '../../src/core/critics/types';

// The settings and critic fields are declared once (src/core/config). These tests hold package.json, which VS Code
// reads, to that declaration: the committed file must equal the generated one, and, read back as VS Code reads it,
// every bound, enum, default and required field in it must be what the code enforces.

const ROOT = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
interface FieldSchema {
  type: string | string[];
  default?: Json;
  enum?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
}

/** The paths where two JSON values differ, e.g. `properties.prmLens.rescoreDelay.minimum: 0 ≠ 1`. */
function differences(actual: unknown, expected: unknown, at = ''): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
  if (isObject(actual) && isObject(expected) && Array.isArray(actual) === Array.isArray(expected)) {
    const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])];
    return keys.flatMap((k) => differences(actual[k], expected[k], at ? `${at}.${k}` : k));
  }
  if (JSON.stringify(actual) === JSON.stringify(expected)) return [];
  return [`${at}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`];
}

describe('package.json settings are generated from the tables', () => {
  test('contributes.configuration and restrictedConfigurations equal the generated ones (npm run gen:config)', () => {
    const restricted = pkg.capabilities.untrustedWorkspaces.restrictedConfigurations;
    const drift = [
      ...differences(pkg.contributes.configuration, configurationContribution(), 'configuration'),
      ...differences(restricted, restrictedConfigurations(), 'restrictedConfigurations'),
    ];
    assert.deepEqual(drift, [], `package.json differs from src/core/config (npm run gen:config):\n${drift.join('\n')}`);
  });

  test('a drifted bound is reported with its path', () => {
    const drifted = structuredClone(pkg.contributes.configuration);
    const branchOf = (type: string) => (b: { if: Json }) => JSON.stringify(b.if).includes(`"${type}"`);
    const chatPrm = drifted.properties['prmLens.critics'].items.allOf.find(branchOf('chat-prm'));
    chatPrm.then.properties.topLogprobs.minimum = 0;
    delete drifted.properties['prmLens.rescoreDelay'].minimum;
    assert.deepEqual(differences(drifted, configurationContribution()), [
      'properties.prmLens.critics.items.allOf.2.then.properties.topLogprobs.minimum: 0 ≠ 1',
      'properties.prmLens.rescoreDelay.minimum: undefined ≠ 0',
    ]);
  });
});

const criticItems = pkg.contributes.configuration.properties['prmLens.critics'].items;
/** Per critic type, its branch of package.json's schema: the fields with their schemas, and the required ones. */
type Branch = { properties: Record<string, FieldSchema | true>; required?: string[] };
const branches = new Map<string, Branch>(
  (criticItems.allOf ?? []).map((b: { if: { properties: { type: { const: string } } }; then: Branch }) => [
    b.if.properties.type.const,
    b.then,
  ]),
);

/** A value the schema accepts, for fields a probe needs filled in. */
function validValue(schema: FieldSchema): Json {
  if (schema.default !== undefined) return schema.default;
  if (schema.enum) return schema.enum[0];
  if (schema.type === 'boolean') return true;
  if (schema.type === 'string') {
    return ['http://127.0.0.1:8000/v1', 'x'].find((s) => new RegExp(schema.pattern ?? '').test(s)) ?? 'x';
  }
  return schema.minimum ?? 1;
}

function minimalCritic(type: string): CriticConfig {
  const branch = branches.get(type)!;
  const required = (branch.required ?? []).map((f) => [f, validValue(branch.properties[f] as FieldSchema)]);
  return { id: 'probe', type, ...Object.fromEntries(required) };
}

/** The error reading a critic with `field` set to `value` (undefined: accepted). */
function probe(type: string, field: string, value: unknown): string | undefined {
  try {
    readCriticFields({ ...minimalCritic(type), [field]: value }, type as CriticType);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Values the schema refuses (each must be refused by the code too) and values it accepts (each must be accepted). */
function casesFor(schema: FieldSchema): { refused: unknown[]; accepted: unknown[] } {
  const types = ([] as string[]).concat(schema.type);
  const refused: unknown[] = [];
  const accepted: unknown[] = [];
  (types.includes('null') ? accepted : refused).push(null);
  if (types.includes('boolean')) {
    accepted.push(true, false);
    refused.push('true', 1);
  } else if (types.includes('string')) {
    refused.push(5);
    if (schema.enum) {
      accepted.push(...schema.enum);
      refused.push('none-of-them');
    }
    if (schema.minLength) refused.push('');
    if (schema.pattern) refused.push('a key or address with spaces');
  } else {
    refused.push('1');
    if (schema.minimum !== undefined) {
      accepted.push(schema.minimum);
      refused.push(schema.minimum - 1);
    }
    if (schema.maximum !== undefined) {
      accepted.push(schema.maximum);
      refused.push(schema.maximum + 1);
    }
    if (types.includes('integer')) refused.push((schema.minimum ?? 0) + 0.5);
    else accepted.push((schema.minimum ?? 0) + 0.5);
  }
  return { refused, accepted };
}

describe('critic fields: the code enforces what package.json declares', () => {
  test('every critic type has a branch, and the registry knows no other type', () => {
    assert.deepEqual([...branches.keys()], criticItems.properties.type.enum);
    assert.deepEqual([...branches.keys()], Object.keys(CRITIC_TYPES));
  });

  for (const [type, branch] of branches) {
    test(`${type}: bounds, enums, types, defaults, required and unknown fields`, () => {
      const known = Object.keys(branch.properties);
      const unknown = new RegExp(`unknown field "bogus"; known fields: ${known.join(', ')}$`);
      assert.match(probe(type, 'bogus', 1) ?? '', unknown);
      const read = readCriticFields(minimalCritic(type), type as CriticType) as Record<string, unknown>;
      for (const [field, schema] of Object.entries(branch.properties)) {
        if (schema === true) continue; // id and type: checked by the registry (below)
        const { refused, accepted } = casesFor(schema);
        for (const value of accepted) {
          assert.equal(probe(type, field, value), undefined, `${type}.${field} = ${JSON.stringify(value)} is valid`);
        }
        for (const value of refused) {
          const message = probe(type, field, value);
          assert.ok(message, `${type}.${field} = ${JSON.stringify(value)} must be refused`);
          assert.match(message, new RegExp(`^critic "probe" \\(${type}\\): "${field}" must be `));
        }
        if (schema.default !== undefined) assert.deepEqual(read[field], schema.default, `${type}.${field} default`);
        if (branch.required?.includes(field)) {
          const rest = minimalCritic(type);
          delete rest[field];
          const required = new RegExp(`"${field}" is required \\(e\\.g\\. `);
          assert.throws(() => readCriticFields(rest as CriticConfig, type as CriticType), required);
        }
      }
    });
  }

  test('the fields that used to drift: topLogprobs 1..20, votes ≤ 64, temperature ≤ 2, concurrency ≤ 256', () => {
    assert.match(probe('chat-prm', 'topLogprobs', 0)!, /"topLogprobs" must be an integer between 1 and 20, got 0/);
    assert.match(probe('openai-critic', 'votes', 65)!, /"votes" must be an integer between 1 and 64, got 65/);
    assert.match(probe('openai-critic', 'temperature', 2.5)!, /"temperature" must be a number between 0 and 2 or null/);
    assert.match(probe('openai-critic', 'concurrency', 300)!, /"concurrency" must be an integer between 1 and 256/);
    const schema = (type: string, field: string) => branches.get(type)!.properties[field] as FieldSchema;
    assert.deepEqual([schema('chat-prm', 'topLogprobs').minimum, schema('chat-prm', 'topLogprobs').maximum], [1, 20]);
    assert.equal(schema('openai-critic', 'votes').maximum, 64);
    assert.deepEqual(schema('openai-critic', 'temperature').type, ['number', 'null']);
    assert.equal(schema('openai-critic', 'temperature').maximum, 2);
  });

  test('URLs lose trailing slashes; fields without a default read as undefined', () => {
    const pooling = { id: 'p', type: 'vllm-pooling', baseURL: 'http://127.0.0.1:8002//' };
    const fields = readCriticFields(pooling, 'vllm-pooling');
    assert.equal(fields.baseURL, 'http://127.0.0.1:8002');
    assert.equal(fields.model, undefined);
    const onnx = readCriticFields({ id: 'm', type: 'onnx', path: 'models/x' }, 'onnx');
    assert.deepEqual([onnx.threads, onnx.idleUnloadSeconds], [undefined, undefined]);
  });

  test('the checker refuses fields it does not have', async () => {
    const unknown = /critic "checker" \(checker\): unknown field "strict"; known fields: id, type, label$/;
    await assert.rejects(createCritic({ id: 'checker', type: 'checker', strict: true }), unknown);
    assert.equal((await createCritic({ id: 'mine', type: 'checker', label: 'Mine' })).label, 'Mine');
  });
});

describe('settings: the code enforces what package.json declares', () => {
  const settings = Object.entries(pkg.contributes.configuration.properties as Record<string, FieldSchema>)
    .filter(([key]) => key !== 'prmLens.critics')
    .map(([key, schema]) => [key.slice('prmLens.'.length) as SettingKey, schema] as const);
  const read = (key: SettingKey, value: unknown) => readSettingValues((k) => (k === key ? value : undefined));

  test('unset settings read as their package.json defaults', () => {
    const { values, problems } = readSettingValues(() => undefined);
    for (const [key, schema] of settings) assert.deepEqual(values[key], schema.default, key);
    assert.deepEqual(values.critics, []);
    assert.deepEqual(problems, []);
  });

  for (const [key, schema] of settings.filter(([, s]) => s.type !== 'array')) {
    test(`${key}: valid values are kept; invalid ones fall back to the default and are reported`, () => {
      const { refused, accepted } = casesFor(schema);
      for (const value of accepted) {
        const { values, problems } = read(key, value);
        assert.deepEqual([values[key], problems], [value, []], `${key} = ${JSON.stringify(value)}`);
      }
      for (const value of refused) {
        const { values, problems } = read(key, value);
        assert.deepEqual(values[key], schema.default, `${key} = ${JSON.stringify(value)} falls back`);
        assert.equal(problems.length, 1);
        const reported = new RegExp(`^Setting prmLens\\.${key.replace('.', '\\.')} must be .*; using the default `);
        assert.match(problems[0], reported);
      }
    });
  }

  test('activeCritics: entries that are not strings are dropped and reported; a non-list falls back', () => {
    const mixed = read('activeCritics', ['a', 3, 'b']);
    assert.deepEqual(mixed.values.activeCritics, ['a', 'b']);
    assert.match(mixed.problems[0], /prmLens\.activeCritics: ignoring entries that are not strings/);
    assert.deepEqual(read('activeCritics', 'a').values.activeCritics, ['checker']);
  });

  test('the critics list is passed on as it is (the registry reports its entries)', () => {
    const raw = [{ id: 'x', type: 'nope' }, 'text'];
    assert.equal(read('critics', raw).values.critics, raw);
    assert.equal(read('critics', 'oops').values.critics, 'oops');
  });
});
