import { resolve } from 'node:path';
import { parseArgs, ParseArgsConfig } from 'node:util';
import { SEGMENT_STRATEGIES, SegmentOptions, SegmentStrategy } from '../core/segment/types';
import { CriticConfigError } from '../core/critics/types';
import { loadCriticConfigs, UsageError } from './io';
import { segmentCommand } from './commands/segment';
import { scoreCommand } from './commands/score';
import { evalCommand } from './commands/eval';
import { metricsCommand } from './commands/metrics';
import { defaultCacheDir } from './commands/critics';
import { DirectoryStore } from '../core/critics/cache';

const USAGE = `prm-lens — segment, score and evaluate chain-of-thought steps

Usage:
  prm-lens segment FILE [--strategy S] [--tag T] [--regex R] [--json]
  prm-lens score FILE [--critic ID]... [--config critics.json] [--strategy S] [--cache-dir DIR | --no-cache] [--json]
  prm-lens eval DATASET... [--critic ID]... [--config critics.json] [--out results.jsonl] [--concurrency N]
                [--cache-dir DIR | --no-cache] [--json] [--quiet]
  prm-lens metrics RESULTS.jsonl... [--json]
  prm-lens clear-cache [--cache-dir DIR] [--out results.jsonl]

Strategies: ${SEGMENT_STRATEGIES.join(', ')} (default auto).
Critics: the built-in "checker" (default) and those in --config {"critics": [{"id", "type", ...}]}: types
openai-critic, chat-prm, vllm-pooling talk to servers; onnx runs a local PRM folder ({"path": …}, see models/README.md)
in a separate process. API keys come only from the environment variable a critic
names in "apiKeyEnv". Several --critic options judge every item with each; eval writes one line per item and critic
and metrics adds their pairwise agreement on the first-error index.
Cache: results of remote critics are stored by content (problem, steps, critic settings; never keys) in
--cache-dir, default .prm-lens-cache/ next to --out (else in the current folder). Re-running an interrupted eval
resumes from it. --no-cache turns it off; clear-cache deletes it.
Progress: eval reports on stderr (one live line on a terminal, else a line every 10 s or 10%); --quiet stops it.
Datasets: a JSON array or JSONL in the ProcessBench, PRM800K, Math-Shepherd, TRL stepwise or BIG-Bench Mistake
layout (told per record); the subset is the record's "subset", else the file name.
Metrics are ProcessBench's: acc_error, acc_correct, F1 (harmonic mean), per subset, with f1_mean (plain mean of
subset F1s, the paper's headline) and f1_weighted (weighted by subset size). Indices are 0-based.
Exit codes: 0 ok, 1 a critic failed, 2 bad arguments or bad input (good records are still processed), 130 interrupted.`;

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
  json: { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [command, ...files] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const json = values.json ?? false;
  const segmentation = segmentOptions(values);
  const controller = new AbortController();
  // First Ctrl-C stops new work and keeps what finished; a second one exits at once.
  process.once('SIGINT', () => {
    controller.abort();
    process.once('SIGINT', () => process.exit(130));
  });
  const need = (n: number, what: string) => {
    if (files.length < n) throw new UsageError(`prm-lens ${command}: missing ${what}\n\n${USAGE}`);
  };
  switch (command) {
    case 'segment':
      need(1, 'FILE');
      return segmentCommand(files[0], segmentation, json);
    case 'score':
      need(1, 'FILE');
      return scoreCommand(files[0], await loadCriticConfigs(values.config), values.critic ?? ['checker'], segmentation, json, controller.signal, {
        configFile: values.config,
        cacheDir: cacheDir(values),
      });
    case 'eval':
      need(1, 'DATASET');
      return evalCommand({
        datasets: files,
        configs: await loadCriticConfigs(values.config),
        configFile: values.config,
        criticIds: values.critic ?? ['checker'],
        out: values.out,
        json,
        concurrency: positiveInt(values.concurrency ?? '4', '--concurrency'),
        cacheDir: cacheDir(values),
        signal: controller.signal,
        quiet: values.quiet ?? false,
      });
    case 'metrics':
      need(1, 'RESULTS.jsonl');
      return metricsCommand(files, json);
    case 'clear-cache': {
      const dir = chosenCacheDir(values);
      await new DirectoryStore(dir).clear();
      console.error(`cleared ${dir}`);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

function segmentOptions(values: { strategy?: string; tag?: string; regex?: string }): SegmentOptions {
  const strategy = values.strategy ?? 'auto';
  if (!(SEGMENT_STRATEGIES as readonly string[]).includes(strategy)) throw new UsageError(`--strategy must be one of ${SEGMENT_STRATEGIES.join(', ')}; got "${strategy}"`);
  if (strategy === 'regex' && !values.regex) throw new UsageError('--strategy regex needs --regex PATTERN');
  return { strategy: strategy as SegmentStrategy, tag: values.tag, regex: values.regex };
}

function chosenCacheDir(values: { 'cache-dir'?: string; out?: string }): string {
  return values['cache-dir'] ? resolve(values['cache-dir']) : defaultCacheDir(values.out);
}

/** The result cache folder, or null with --no-cache. */
function cacheDir(values: { 'cache-dir'?: string; 'no-cache'?: boolean; out?: string }): string | null {
  if (values['no-cache'] && values['cache-dir']) throw new UsageError('--cache-dir and --no-cache contradict each other');
  return values['no-cache'] ? null : chosenCacheDir(values);
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
    const userError = err instanceof UsageError || err instanceof CriticConfigError || (err as NodeJS.ErrnoException)?.code === 'ENOENT' || (err as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
    console.error(`prm-lens: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = userError ? 2 : 1;
  },
);
