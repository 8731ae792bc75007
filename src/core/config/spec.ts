/**
 * How one setting or one critic field is declared: its JSON type, default, bounds and text. The same declaration
 * checks values (`problemWith`) and becomes the JSON Schema in package.json (`./contribution`), so the two cannot
 * drift apart.
 */

interface Described {
  description: string;
  /** Write the description as package.json's `markdownDescription`. */
  markdown?: true;
}

export interface StringSpec extends Described {
  type: 'string';
  default?: string;
  enum?: readonly string[];
  enumDescriptions?: readonly string[];
  /** 1: the empty (or blank) string is refused. */
  minLength?: 1;
  /** A regular expression the value must match, and what it means (`must be …`). */
  pattern?: string;
  patternMessage?: string;
  /** An http(s) URL. */
  url?: true;
  /** The field must be given; the text is an example for the message. */
  required?: string;
  /** A rule JSON Schema cannot state; returns why the value is refused. */
  check?: (value: string) => string | undefined;
}

export interface NumberSpec extends Described {
  type: 'number' | 'integer';
  default?: number;
  minimum?: number;
  maximum?: number;
  /** null is a value of its own (a remote critic then does not send the option). */
  nullable?: true;
}

export interface BooleanSpec extends Described {
  type: 'boolean';
  default?: boolean;
}

export type ScalarSpec = StringSpec | NumberSpec | BooleanSpec;

/** The value a spec admits (a string enum gives its union of literals). */
export type ScalarValue<S> = S extends { type: 'boolean' }
  ? boolean
  : S extends { type: 'string'; enum: readonly (infer E)[] }
    ? E
    : S extends { type: 'string' }
      ? string
      : S extends { nullable: true }
        ? number | null
        : number;

/** What reading a field gives: its value, or undefined when it is absent and has neither a default nor is required. */
export type ReadValue<S> = S extends { default: unknown } | { required: string }
  ? ScalarValue<S>
  : ScalarValue<S> | undefined;

const show = (value: unknown): string => JSON.stringify(value) ?? String(value);

function range(spec: NumberSpec): string {
  const { minimum: min, maximum: max } = spec;
  if (min !== undefined && max !== undefined) return ` between ${min} and ${max}`;
  if (min !== undefined) return ` ≥ ${min}`;
  if (max !== undefined) return ` ≤ ${max}`;
  return '';
}

/** Why `value` (present: not undefined) does not fit `spec`, as `must be …`; undefined when it fits. */
export function problemWith(spec: ScalarSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be true or false, got ${show(value)}`;
    case 'number':
    case 'integer': {
      if (value === null && spec.nullable) return undefined;
      const integer = spec.type === 'integer';
      const fits =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (!integer || Number.isInteger(value)) &&
        value >= (spec.minimum ?? -Infinity) &&
        value <= (spec.maximum ?? Infinity);
      if (fits) return undefined;
      const kind = `${integer ? 'an integer' : 'a number'}${range(spec)}${spec.nullable ? ' or null' : ''}`;
      return `must be ${kind}, got ${show(value)}`;
    }
    case 'string': {
      if (spec.enum) {
        if (typeof value === 'string' && spec.enum.includes(value)) return undefined;
        return `must be one of ${spec.enum.map(show).join(', ')}, got ${show(value)}`;
      }
      if (typeof value !== 'string') return `must be a${spec.minLength ? ' non-empty' : ''} string, got ${show(value)}`;
      if (spec.minLength && value.trim() === '') return `must be a non-empty string, got ${show(value)}`;
      // The value is not repeated: a key pasted where its variable's name belongs must not reach a log.
      if (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value)) return `must be ${spec.patternMessage}`;
      if (spec.url && !isHttpUrl(value)) return `must be an http(s) URL, got ${show(value)}`;
      return spec.check?.(value);
    }
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
