import { COMMON_FIELDS, CRITIC_TYPES, CriticType } from './critics';
import { RESTRICTED_SETTINGS, SECTION, SETTINGS, SettingSpec } from './settings';
import { ScalarSpec } from './spec';

/**
 * package.json's settings, generated from the tables (`npm run gen:config` writes them; a unit test fails when the
 * committed package.json differs): `contributes.configuration` and the settings an untrusted workspace cannot set.
 */

type Schema = Record<string, unknown>;

function describe(spec: { description: string; markdown?: true }): Schema {
  return spec.markdown ? { markdownDescription: spec.description } : { description: spec.description };
}

/** A field's JSON Schema as VS Code's settings editor and settings.json validation read it. */
export function fieldSchema(spec: ScalarSpec): Schema {
  const nullable = spec.type !== 'boolean' && spec.type !== 'string' && spec.nullable;
  const schema: Schema = { type: nullable ? [spec.type, 'null'] : spec.type };
  if (spec.default !== undefined) schema.default = spec.default;
  if (spec.type === 'string') {
    if (spec.enum) schema.enum = [...spec.enum];
    if (spec.enumDescriptions) schema.enumDescriptions = [...spec.enumDescriptions];
    if (spec.minLength) schema.minLength = spec.minLength;
    if (spec.pattern !== undefined) {
      Object.assign(schema, { pattern: spec.pattern, patternErrorMessage: `must be ${spec.patternMessage}` });
    }
    if (spec.url) Object.assign(schema, { pattern: '^https?://', patternErrorMessage: 'must be an http(s) URL' });
  } else if (spec.type !== 'boolean') {
    if (spec.minimum !== undefined) schema.minimum = spec.minimum;
    if (spec.maximum !== undefined) schema.maximum = spec.maximum;
  }
  return { ...schema, ...describe(spec) };
}

function requiredFields(fields: Record<string, ScalarSpec>): string[] {
  return Object.entries(fields)
    .filter(([, spec]) => spec.type === 'string' && spec.required !== undefined)
    .map(([field]) => field);
}

/** One critic: the common fields, then per type (if/then) that type's fields with their bounds; no other field. */
function criticSchema(): Schema {
  const types = Object.keys(CRITIC_TYPES) as CriticType[];
  return {
    type: 'object',
    required: requiredFields(COMMON_FIELDS),
    properties: {
      id: fieldSchema(COMMON_FIELDS.id),
      type: {
        type: 'string',
        enum: types,
        enumDescriptions: types.map((t) => CRITIC_TYPES[t].description),
        description: COMMON_FIELDS.type.description,
      },
      label: fieldSchema(COMMON_FIELDS.label),
    },
    allOf: types.map((type) => {
      const fields: Record<string, ScalarSpec> = CRITIC_TYPES[type].fields;
      const required = requiredFields(fields);
      const properties = Object.fromEntries(Object.entries(fields).map(([field, spec]) => [field, fieldSchema(spec)]));
      return {
        if: { properties: { type: { const: type } }, required: ['type'] },
        then: {
          properties: { id: true, type: true, label: true, ...properties },
          ...(required.length > 0 ? { required } : {}),
          additionalProperties: false,
        },
      };
    }),
  };
}

function settingSchema(spec: SettingSpec): Schema {
  const scope = spec.scope ? { scope: spec.scope } : {};
  if (spec.type !== 'array') return { ...fieldSchema(spec), ...scope };
  const items = spec.items === 'critic' ? criticSchema() : { type: 'string' };
  return { type: 'array', default: [...spec.default], ...scope, items, ...describe(spec) };
}

export function configurationContribution(): Schema {
  const properties = Object.fromEntries(
    Object.entries(SETTINGS).map(([key, spec]) => [`${SECTION}.${key}`, settingSchema(spec)]),
  );
  return { title: 'PRM Lens', properties };
}

/** package.json's `capabilities.untrustedWorkspaces.restrictedConfigurations`. */
export function restrictedConfigurations(): string[] {
  return RESTRICTED_SETTINGS.map((key) => `${SECTION}.${key}`);
}
