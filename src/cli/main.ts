import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { SEGMENT_STRATEGIES, SegmentOptions, SegmentStrategy } from '../core/segment/types';
import { CriticConfigError } from '../core/critics/types';
import { loadCriticConfigs, UsageError } from './io';
import { segmentCommand } from './commands/segment';
import { scoreCommand } from './commands/score';
import { evalCommand } from './commands/eval';
import { metricsCommand } from './commands/metrics';
import { defaultCacheDir } from './commands/critics';
import { clearCacheCommand } from './commands/clear-cache';
import { bonCommand } from './commands/bon';
import { importCommand } from './commands/import';
import { cacheCommand, cachePruneCommand, DEFAULT_LIMITS, pruneAfterRun } from './commands/cache';
import { DAY_MS, limitRules, PruneRules } from '../core/critics/cacheMaintenance';
import { compileStepRegex } from '../core/segment/boundaries';
import { InputFileError } from '../core/datasets/files';
import { packageVersion } from './version';
import { DEFAULT_RESAMPLES } from '../core/metrics/bootstrap';
import { errorMessage } from '../core/util/errors';
import { forTerminal } from '../core/util/terminal';

const USAGE = `prm-lens — segment, score and evaluate chain-of-thought steps

Usage:
  prm-lens segment FILE [--strategy S] [--tag T] [--regex R] [--json]
  prm-lens score FILE [--critic ID]... [--config critics.json] [--strategy S] [--cache-dir DIR | --no-cache]
                [--cache-max-size MB] [--cache-max-age DAYS] [--json]
  prm-lens eval DATASET... [--critic ID]... [--config critics.json] [--out results.jsonl] [--concurrency N]
                [--cache-dir DIR | --no-cache] [--cache-max-size MB] [--cache-max-age DAYS] [--json] [--quiet]
  prm-lens metrics RESULTS.jsonl... [--dataset PRMBENCH] [--threshold T | --calibrate-on SUBSET] [--ci [N] [--seed S]]
                [--json]
  prm-lens bon FILE... [--n 1,2,4,…] [--samples-per-problem N] [--results RESULTS.jsonl]... [--critic ID]... [--json]
  prm-lens cache [--cache-dir DIR] [--out results.jsonl] [--json]
  prm-lens cache prune [--cache-dir DIR] [--out results.jsonl] [--older-than DAYS] [--critic ID]... [--max-size MB]
                [--json]
  prm-lens clear-cache [--cache-dir DIR] [--out results.jsonl]
  prm-lens import DIR --out DIR [--weights int4|int8|fp16|fp32|auto] [--head lm|token-classification|value]
                [--preset NAME|prm.json] [--json] [--quiet]
  prm-lens --version

Strategies: ${SEGMENT_STRATEGIES.join(', ')} (default auto).
Critics: the built-in "checker" (default) and those in --config {"critics": [{"id", "type", ...}]}: types
openai-critic, chat-prm, vllm-pooling talk to servers; onnx runs a local PRM folder ({"path": …}, see models/README.md)
in a separate process. API keys come only from the environment variable a critic
names in "apiKeyEnv". Several --critic options judge every item with each; eval writes one line per item and critic
and metrics adds their pairwise agreement on the first-error index.
Cache: results of remote critics are stored by content (problem, steps, critic settings; never keys) in
--cache-dir, default .prm-lens-cache/ next to --out (else in the current folder). Re-running an interrupted eval
resumes from it. --no-cache turns it off. After score and eval, entries unused for --cache-max-age days
(default ${DEFAULT_LIMITS.maxAgeDays}) and the least recently used ones beyond --cache-max-size MB
(default ${DEFAULT_LIMITS.maxSizeMB}) are removed; 0 is no limit. cache summarises it per critic; cache prune
removes entries unused for --older-than days, of --critic, or beyond --max-size (with none of these: the default
limits); clear-cache removes every entry.
Only a folder PRM Lens created (it holds PRM Lens's CACHEDIR.TAG) is ever pruned or cleared, and only PRM Lens's
entries in it; any other folder (., /, a project, a link) is refused with exit 2 and left as it was.
Progress: eval reports on stderr (one live line on a terminal, else a line every 10 s or 10%); --quiet stops it.
Datasets: a JSON array or JSONL in the ProcessBench, PRM800K, Math-Shepherd, PRMBench, TRL stepwise or BIG-Bench Mistake
layout (told per record); the subset is the record's "subset", else the id prefix when the file mixes them
("gsm8k-12" → gsm8k), else the file name (eval names the rule per file on stderr).
Metrics are ProcessBench's: acc_error, acc_correct, F1 (harmonic mean), per subset, with f1_mean (plain mean of
subset F1s, the paper's headline) and f1_weighted (weighted by subset size). Indices are 0-based.
metrics --threshold T: the step threshold (a step is correct when its score > T): scalar critics' predictions are
recomputed from their scores at T. --calibrate-on SUBSET: T is the one that maximises F1 on SUBSET (ProcessBench's
protocol, as the metrics panel), with each subset's own optimum as an upper bound; --json gives per critic
"threshold": {"value", "calibrated_on" | "given"} and "upper_bound".
metrics --dataset FILE: PRMBench's PRMScore per error category and overall, from the results' step scores and the
file's per-step labels, at the step threshold (default 0.5). --ci [N]: seeded bootstrap 95% intervals (N
resamples, default 1000; --seed S, default 0) for every metric, and paired comparisons between critics.
Best-of-N: bon reads several solutions per problem (PRM800K scored samples, search-and-learn output, or any solution
layout with a gold "answer" or is_correct) and prints accuracy % per n for pass, random, majority, best:<score> and
weighted:<score>; step scores come from --results files (joined by solution id), as best:<critic>/<min|product|last|
mean|max>. Best-of-n, pass and random are exact expectations over all n-subsets of N slots (default N: the most
solutions of a problem; fewer are padded with empty slots); votes are sampled (seeded) with a standard error.
Import: a Hugging Face model folder (config.json, *.safetensors with their index, tokenizer.json,
tokenizer_config.json) of a Qwen2, Llama or Mistral decoder becomes a PRM Lens model folder in --out (new or empty):
model.onnx with onnxruntime's fused CPU operators, the tokenizer files and the prm.json of the matching preset in
models/ (--preset names another). --weights auto (default) picks int8 on CPUs with VNNI/AMX, else int4; the head comes
from config.json's architecture unless --head says it. See models/README.md.
Exit codes: 0 ok; 1 a critic failed, or the command could not finish; 2 bad arguments, or an input file that is
missing, unreadable or malformed (good records are still processed); 130 interrupted.`;

const OPTIONS = {
  strategy: { type: 'string' },
  tag: { type: 'string' },
  regex: { type: 'string' },
  critic: { type: 'string', multiple: true },
  config: { type: 'string' },
  out: { type: 'string' },
  concurrency: { type: 'string' },
  'cache-dir': { type: 'string' },
  'no-cache': { type: 'boolean' },
  'cache-max-size': { type: 'string' },
  'cache-max-age': { type: 'string' },
  'older-than': { type: 'string' },
  'max-size': { type: 'string' },
  json: { type: 'boolean' },
  dataset: { type: 'string' },
  ci: { type: 'string' },
  seed: { type: 'string' },
  threshold: { type: 'string' },
  n: { type: 'string' },
  'samples-per-problem': { type: 'string' },
  results: { type: 'string', multiple: true },
  'calibrate-on': { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  weights: { type: 'string' },
  head: { type: 'string' },
  preset: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
} satisfies ParseArgsConfig['options'];

type Option = keyof typeof OPTIONS;

/** What each command takes; anything else is a usage error rather than silently ignored. */
interface CommandSpec {
  /** The positional arguments as the usage names them. */
  args: string;
  maxArgs: number;
  options: readonly Option[];
}

const SEGMENTATION: readonly Option[] = ['strategy', 'tag', 'regex'];
const CACHE: readonly Option[] = ['cache-dir', 'no-cache', 'cache-max-size', 'cache-max-age'];
const COMMANDS: Record<string, CommandSpec> = {
  segment: { args: 'FILE', maxArgs: 1, options: [...SEGMENTATION, 'json'] },
  score: { args: 'FILE', maxArgs: 1, options: [...SEGMENTATION, 'critic', 'config', ...CACHE, 'json'] },
  eval: {
    args: 'DATASET',
    maxArgs: Infinity,
    options: ['critic', 'config', 'out', 'concurrency', ...CACHE, 'json', 'quiet'],
  },
  metrics: {
    args: 'RESULTS.jsonl',
    maxArgs: Infinity,
    options: ['json', 'dataset', 'threshold', 'calibrate-on', 'ci', 'seed'],
  },
  cache: { args: '', maxArgs: 0, options: ['cache-dir', 'out', 'json'] },
  'cache prune': { args: '', maxArgs: 0, options: ['cache-dir', 'out', 'older-than', 'critic', 'max-size', 'json'] },
  bon: { args: 'FILE', maxArgs: Infinity, options: ['n', 'samples-per-problem', 'results', 'critic', 'json'] },
  import: { args: 'DIR', maxArgs: 1, options: ['out', 'weights', 'head', 'preset', 'json', 'quiet'] },
  'clear-cache': { args: '', maxArgs: 0, options: ['cache-dir', 'out'] },
};
const GLOBAL_OPTIONS: readonly Option[] = ['help', 'version'];

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: optionalCiValue(argv), options: OPTIONS, allowPositionals: true });
  // `cache prune` is a command of its own; `cache` alone is the summary.
  const prune = positionals[0] === 'cache' && positionals[1] === 'prune';
  const [command, ...files] = prune ? ['cache prune', ...positionals.slice(2)] : positionals;
  if (values.version) {
    console.log(packageVersion());
    return 0;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  const spec = COMMANDS[command];
  if (!spec) {
    throw new UsageError(`unknown command "${command}" (commands: ${Object.keys(COMMANDS).join(', ')})${SEE_HELP}`);
  }
  checkArguments(command, spec, values, files);
  const json = values.json ?? false;
  const controller = new AbortController();
  // First Ctrl-C stops new work and keeps what finished; a second one exits at once.
  process.once('SIGINT', () => {
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  switch (command) {
    case 'segment':
      return segmentCommand(files[0], segmentOptions(values), json);
    case 'score': {
      const segmentation = segmentOptions(values);
      const build = { configFile: values.config, cacheDir: cacheDir(values) };
      const limits = cacheLimits(values);
      const configs = await loadCriticConfigs(values.config);
      const criticIds = values.critic ?? ['checker'];
      const code = await scoreCommand(files[0], configs, criticIds, segmentation, json, controller.signal, build);
      if (build.cacheDir !== null) await pruneAfterRun(build.cacheDir, limits);
      return code;
    }
    case 'eval': {
      await checkOutput(values.out);
      const dir = cacheDir(values);
      const limits = cacheLimits(values);
      const code = await evalCommand({
        datasets: files,
        configs: await loadCriticConfigs(values.config),
        configFile: values.config,
        criticIds: values.critic ?? ['checker'],
        out: values.out,
        json,
        concurrency: positiveInt(values.concurrency ?? '4', '--concurrency'),
        cacheDir: dir,
        signal: controller.signal,
        quiet: values.quiet ?? false,
      });
      if (dir !== null) await pruneAfterRun(dir, limits);
      return code;
    }
    case 'metrics':
      if (values.seed !== undefined && values.ci === undefined) throw new UsageError(`--seed needs --ci${SEE_HELP}`);
      if (values.threshold !== undefined && values['calibrate-on'] !== undefined) {
        throw new UsageError(`--threshold and --calibrate-on both set the step threshold: give one${SEE_HELP}`);
      }
      return metricsCommand(files, json, {
        dataset: values.dataset,
        calibrateOn: values['calibrate-on'],
        threshold: values.threshold === undefined ? undefined : finiteNumber(values.threshold, '--threshold'),
        ci: values.ci === undefined ? undefined : positiveInt(values.ci, '--ci'),
        seed: values.seed === undefined ? undefined : seedValue(values.seed),
      });
    case 'cache':
      return cacheCommand(chosenCacheDir(values), json);
    case 'cache prune':
      return cachePruneCommand(chosenCacheDir(values), pruneRules(values), json);
    case 'bon':
      return bonCommand({
        files,
        ...(values.n === undefined ? {} : { n: values.n.split(',').map((n) => positiveInt(n.trim(), '--n')) }),
        ...(values['samples-per-problem'] === undefined
          ? {}
          : { samplesPerProblem: positiveInt(values['samples-per-problem'], '--samples-per-problem') }),
        ...(values.critic === undefined ? {} : { critics: values.critic }),
        results: values.results ?? [],
        json,
        signal: controller.signal,
      });
    case 'import':
      return importCommand({
        source: files[0],
        out: values.out,
        weights: values.weights,
        head: values.head,
        preset: values.preset,
        json,
        quiet: values.quiet ?? false,
        signal: controller.signal,
      });
    default: // clear-cache, the last entry of COMMANDS
      return clearCacheCommand(chosenCacheDir(values));
  }
}

const SEE_HELP = '\nRun `prm-lens --help` for the usage.';

/** Options the command does not take and a wrong number of files are usage errors (exit 2), never ignored. */
function checkArguments(command: string, spec: CommandSpec, values: object, files: string[]): void {
  const given = Object.keys(values) as Option[];
  const foreign = given.filter((o) => !spec.options.includes(o) && !GLOBAL_OPTIONS.includes(o));
  if (foreign.length > 0) {
    const list = foreign.map((o) => `--${o}`).join(', ');
    throw new UsageError(`${command} does not take ${list}${SEE_HELP}`);
  }
  if (spec.maxArgs > 0 && files.length === 0) throw new UsageError(`${command}: missing ${spec.args}${SEE_HELP}`);
  if (files.length > spec.maxArgs) {
    const takes = spec.maxArgs === 0 ? 'no file arguments' : `one ${spec.args}`;
    throw new UsageError(`${command} takes ${takes}; got ${files.map((f) => JSON.stringify(f)).join(' ')}${SEE_HELP}`);
  }
}

/** Fails before a long run when the results file could not be written at its end. */
async function checkOutput(out: string | undefined): Promise<void> {
  if (out === undefined) return;
  const folder = dirname(resolve(out));
  const [folderStat, outStat] = await Promise.all([stat(folder).catch(() => null), stat(out).catch(() => null)]);
  if (!folderStat?.isDirectory()) throw new UsageError(`--out ${out}: the folder ${folder} does not exist`);
  if (outStat?.isDirectory()) {
    throw new UsageError(`--out ${out} is a folder; name a file such as ${join(out, 'results.jsonl')}`);
  }
}

function segmentOptions(values: { strategy?: string; tag?: string; regex?: string }): SegmentOptions {
  const strategy = values.strategy ?? 'auto';
  if (!(SEGMENT_STRATEGIES as readonly string[]).includes(strategy))
    throw new UsageError(`--strategy must be one of ${SEGMENT_STRATEGIES.join(', ')}; got "${strategy}"`);
  if (strategy === 'regex' && !values.regex) throw new UsageError('--strategy regex needs --regex PATTERN');
  if (strategy === 'regex') {
    try {
      compileStepRegex(values.regex);
    } catch (e) {
      throw new UsageError(`--regex: ${errorMessage(e)}`);
    }
  }
  return { strategy: strategy as SegmentStrategy, tag: values.tag, regex: values.regex };
}

function chosenCacheDir(values: { 'cache-dir'?: string; out?: string }): string {
  return values['cache-dir'] ? resolve(values['cache-dir']) : defaultCacheDir(values.out);
}

/** The result cache folder, or null with --no-cache. */
function cacheDir(values: { 'cache-dir'?: string; 'no-cache'?: boolean; out?: string }): string | null {
  if (values['no-cache'] && values['cache-dir'])
    throw new UsageError('--cache-dir and --no-cache contradict each other');
  return values['no-cache'] ? null : chosenCacheDir(values);
}

/** `--ci` takes an optional count: a bare `--ci` (not followed by a number) means the default 1,000 resamples. */
function optionalCiValue(argv: string[]): string[] {
  return argv.map((arg, i) => (arg === '--ci' && !/^\d+$/.test(argv[i + 1] ?? '') ? `--ci=${DEFAULT_RESAMPLES}` : arg));
}

function seedValue(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n > 0xffffffff) {
    throw new UsageError(`--seed must be an integer from 0 to 4294967295; got "${text}"`);
  }
  return n;
}

/** The size and age limits a run prunes the cache to. */
function cacheLimits(values: { 'no-cache'?: boolean; 'cache-max-size'?: string; 'cache-max-age'?: string }) {
  const given = (['cache-max-size', 'cache-max-age'] as const).filter((o) => values[o] !== undefined);
  if (values['no-cache'] && given.length > 0) {
    throw new UsageError(`--no-cache and --${given[0]} contradict each other`);
  }
  const size = values['cache-max-size'];
  const age = values['cache-max-age'];
  return {
    maxSizeMB: size === undefined ? DEFAULT_LIMITS.maxSizeMB : nonNegative(size, '--cache-max-size'),
    maxAgeDays: age === undefined ? DEFAULT_LIMITS.maxAgeDays : nonNegative(age, '--cache-max-age'),
  };
}

/** What `cache prune` removes: the entries its options select, or, with none, what the default limits do. */
function pruneRules(values: { 'older-than'?: string; critic?: string[]; 'max-size'?: string }): PruneRules {
  const { 'older-than': olderThan, critic, 'max-size': maxSize } = values;
  if (olderThan === undefined && critic === undefined && maxSize === undefined) return limitRules(DEFAULT_LIMITS);
  const days = olderThan === undefined ? undefined : nonNegative(olderThan, '--older-than');
  return {
    critics: critic,
    usedBefore: days === undefined ? undefined : Date.now() - days * DAY_MS,
    maxBytes: maxSize === undefined ? undefined : Math.floor(nonNegative(maxSize, '--max-size') * 1024 * 1024),
  };
}

function nonNegative(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`${flag} must be a number ≥ 0; got "${text}"`);
  }
  return n;
}

function finiteNumber(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${flag} must be a number; got "${text}"`);
  return n;
}

function positiveInt(text: string, flag: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a positive integer; got "${text}"`);
  return n;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Bad arguments, configurations and input files exit 2; anything else that stopped the command exits 1.
    const userError =
      err instanceof UsageError ||
      err instanceof CriticConfigError ||
      err instanceof InputFileError ||
      (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    console.error(forTerminal(`prm-lens: ${errorMessage(err)}`));
    process.exitCode = userError ? 2 : 1;
  },
);
