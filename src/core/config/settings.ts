import { DEFAULT_COLOUR_BANDS } from '../analysis/marks';
import { DEFAULT_TAG } from '../segment/boundaries';
import { SEGMENT_STRATEGIES } from '../segment/types';
import { problemWith, ScalarSpec, ScalarValue } from './spec';

/**
 * Every `prmLens.*` setting, declared once: the editor reads them with `readSettingValues`, and package.json's
 * `contributes.configuration` is generated from this table (`npm run gen:config`).
 */

interface SettingExtras {
  /** package.json's scope (default: window). */
  scope?: 'resource';
  /**
   * An untrusted workspace cannot set it: only the user's own value counts there. Every setting that names
   * endpoints or files, or compiles a pattern, is restricted.
   */
  restricted?: true;
}

/** A list of strings. */
export interface StringListSpec {
  type: 'array';
  items: 'string';
  default: readonly string[];
  description: string;
  markdown?: true;
}

/** The critics list: each entry is checked by the critic registry and its factory (see ./critics). */
export interface CriticListSpec {
  type: 'array';
  items: 'critic';
  default: readonly [];
  description: string;
  markdown?: true;
}

export type SettingSpec = (ScalarSpec | StringListSpec | CriticListSpec) & SettingExtras;

export const SETTINGS = {
  critics: {
    type: 'array',
    items: 'critic',
    default: [],
    scope: 'resource',
    restricted: true,
    markdown: true,
    description:
      'Critics that can judge steps, each `{"id": "…", "type": "…", …}` — the same shape as the CLI\'s `--config` ' +
      'file. The built-in offline `checker` is always available.',
  },
  activeCritics: {
    type: 'array',
    items: 'string',
    default: ['checker'],
    markdown: true,
    description: 'Ids of the critics that **Score Steps** runs; the first one colours the steps.',
  },
  'segmentation.strategy': {
    type: 'string',
    enum: SEGMENT_STRATEGIES,
    default: 'auto',
    // It decides whether a pattern runs: with the pattern, only the user's own counts in an untrusted workspace.
    restricted: true,
    enumDescriptions: [
      'Pick from the text and say which',
      'Blank-line separated paragraphs (ProcessBench)',
      'One step per non-empty line (PRM800K)',
      '"Step 1:", "1.", "**Step 1**", "## Step 1" markers',
      'Steps end at a tag (Math-Shepherd\'s " ки")',
      'Each match of `prmLens.segmentation.regex` starts a step',
      'Python\'s split("\\n"), empty lines kept as steps (Skywork PRM)',
    ],
    description:
      'How solutions are split into steps (can be changed per file with "Choose Step Segmentation for Current File").',
  },
  'segmentation.tag': { type: 'string', default: DEFAULT_TAG, description: 'Step tag for the `tags` strategy.' },
  'segmentation.regex': {
    type: 'string',
    default: '',
    // Compiled and run over every file: a crafted pattern could stall the editor.
    restricted: true,
    description: 'Pattern for the `regex` strategy: each match starts a new step (JavaScript syntax, multiline).',
  },
  autoRescore: { type: 'boolean', default: true, description: 'Re-score a scored file after you stop typing.' },
  rescoreDelay: {
    type: 'number',
    default: 600,
    minimum: 0,
    description: 'Pause after the last edit before re-scoring, in milliseconds.',
  },
  'thresholds.good': {
    type: 'number',
    default: DEFAULT_COLOUR_BANDS.good,
    minimum: 0,
    maximum: 1,
    description: 'A step score at or above this is shown as good.',
  },
  'thresholds.bad': {
    type: 'number',
    default: DEFAULT_COLOUR_BANDS.bad,
    minimum: 0,
    maximum: 1,
    description: 'A step score at or below this is shown as bad.',
  },
  diagnosticSeverity: {
    type: 'string',
    enum: ['error', 'warning', 'information'],
    default: 'warning',
    description: 'Severity of the first-error entry in the Problems panel.',
  },
  'cache.enabled': {
    type: 'boolean',
    default: true,
    description:
      'Keep results of remote critics (keyed by problem, steps and critic settings, never API keys) so re-opened ' +
      'files and re-runs are instant. "PRM Lens: Clear Cache" empties it.',
  },
  'cache.maxSizeMB': {
    type: 'number',
    default: 1024,
    minimum: 0,
    description:
      'Largest size of the result cache in MB: beyond it the least recently used results are removed (in the ' +
      'background after runs). 0: no limit.',
  },
  'cache.maxAgeDays': {
    type: 'number',
    default: 90,
    minimum: 0,
    description: 'Cached results not used for this many days are removed (in the background after runs). 0: no limit.',
  },
  'onnx.threads': {
    type: 'integer',
    default: 0,
    minimum: 0,
    maximum: 256,
    description: 'Threads for local ONNX models (0 = one per physical core).',
  },
  'onnx.idleUnloadMinutes': {
    type: 'number',
    default: 5,
    minimum: 0,
    description: 'Unload a local model after this many idle minutes (0 = keep it loaded).',
  },
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;

/** Settings are written `prmLens.<key>`. */
export const SECTION = 'prmLens';

type SettingValue<S> = S extends { items: 'critic' }
  ? unknown
  : S extends { items: 'string' }
    ? string[]
    : ScalarValue<S>;

/** Every setting, typed; `critics` is the raw list, checked entry by entry by the critic registry. */
export type SettingValues = { -readonly [K in SettingKey]: SettingValue<(typeof SETTINGS)[K]> };

/**
 * The settings from `get` (a key's value, undefined when unset): a value that does not fit its declaration is
 * replaced by the default, and `problems` says so, naming the setting.
 */
export function readSettingValues(get: (key: SettingKey) => unknown): { values: SettingValues; problems: string[] } {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(SETTINGS) as [SettingKey, SettingSpec][]) {
    const raw = get(key);
    const fallback = (problem: string) => {
      problems.push(`Setting ${SECTION}.${key} ${problem}; using the default ${JSON.stringify(spec.default)}.`);
      return spec.default;
    };
    if (raw === undefined || (spec.type === 'array' && spec.items === 'critic')) {
      values[key] = raw ?? spec.default;
    } else if (spec.type === 'array') {
      if (!Array.isArray(raw)) values[key] = fallback(`must be a list of strings, got ${JSON.stringify(raw)}`);
      else if (raw.some((item) => typeof item !== 'string')) {
        values[key] = raw.filter((item) => typeof item === 'string');
        problems.push(`Setting ${SECTION}.${key}: ignoring entries that are not strings.`);
      } else values[key] = raw;
    } else {
      const problem = problemWith(spec, raw);
      values[key] = problem === undefined ? raw : fallback(problem);
    }
  }
  return { values: values as SettingValues, problems };
}

/** The settings an untrusted workspace cannot set (package.json's `restrictedConfigurations`). */
export const RESTRICTED_SETTINGS: readonly SettingKey[] = (Object.entries(SETTINGS) as [SettingKey, SettingSpec][])
  .filter(([, spec]) => spec.restricted)
  .map(([key]) => key);
