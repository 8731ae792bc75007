import path from 'node:path';
import { readCriticFields } from '../../config/critics';
import { configPath } from '../configPath';
import { isCorrectScore, judgeScores } from '../judgement';
import { Critic, CriticConfig, CriticContext, CriticInput, CriticResult } from '../types';
import { type PrmScope, scoreInScope } from '../scope';
import { SolutionScores, StepScore } from './protocol';
import { defaultHostScript, OnnxRunner } from './runner';
import { emitOnnxProgress, onnxSettings } from './settings';
import { slideWindows, type Windowed } from './window';

/**
 * A local PRM (a folder with an ONNX graph, tokenizer.json and prm.json) as a critic. Config:
 * `{"id": "qwen-prm", "type": "onnx", "path": "/models/qwen2.5-math-prm-7b", "threads": 2, "idleUnloadSeconds": 300}`.
 * A relative path is resolved from the config file's folder (CLI) or the trusted workspace (editor); `~` is the home
 * folder. `scope` picks the part of a trace it scores (../scope.ts); `window: "sliding"` scores a solution longer
 * than the model's context in windows (./window.ts) instead of leaving the steps past it unscored.
 */
export class OnnxCritic implements Critic {
  readonly type = 'onnx';
  readonly id: string;
  readonly label: string;
  readonly folder: string;
  private readonly runner: OnnxRunner;
  private readonly scope: PrmScope;
  private readonly window: { overlap: number } | undefined;

  constructor(config: CriticConfig, context: CriticContext = {}, hostScript = defaultHostScript()) {
    const fields = readCriticFields(config, 'onnx');
    const { path: raw, threads, idleUnloadSeconds: idle } = fields;
    this.scope = fields.scope;
    this.window = fields.window === 'sliding' ? { overlap: fields.windowOverlap } : undefined;
    this.folder = configPath(raw, context.baseDir, config.id, 'path');
    this.id = config.id;
    this.label = config.label ?? `${path.basename(this.folder)} (local)`;
    this.runner = new OnnxRunner({
      folder: this.folder,
      hostScript,
      threads: () => threads ?? onnxSettings().threads,
      idleMs: () => 1000 * (idle ?? onnxSettings().idleUnloadSeconds),
    });
  }

  score(input: CriticInput): Promise<CriticResult> {
    return scoreInScope(this.id, input, this.scope, (scoped, positions) => this.scoreSteps(scoped, positions));
  }

  /** Scores the steps it is given (`positions`: their indices in the whole solution, for messages). */
  private async scoreSteps(
    { problem, steps, signal }: CriticInput,
    positions: readonly number[],
  ): Promise<CriticResult> {
    const startedAt = Date.now();
    const report = (progress: Parameters<typeof emitOnnxProgress>[0]['progress']) =>
      emitOnnxProgress({ criticId: this.id, label: this.label, progress });
    // Every forward pass counts, windows sent again without their carried steps too.
    const usage = { promptTokens: 0, requests: 0 };
    const run = async (some: readonly string[]) => {
      const [scored] = await this.runner.score([{ problem, steps: [...some] }], signal, report);
      usage.promptTokens += scored.tokens;
      usage.requests += 1;
      return scored;
    };
    let result: SolutionScores;
    let windowed: Windowed | undefined;
    try {
      result = await run(steps);
      const maxTokens = this.runner.model?.maxTokens;
      if (this.window && maxTokens !== undefined && result.tokens < result.fullTokens) {
        windowed = await slideWindows(steps, result, maxTokens, this.window.overlap, run);
      }
    } finally {
      report(undefined);
    }
    const info = this.runner.model;
    const threshold = info?.threshold ?? 0.5;
    const family = info?.family ?? 'onnx';
    const scores = windowed?.steps ?? result.steps;
    const reasons = scores.map((s, k) => {
      const reason = s.score === null ? (s.note ?? 'not scored') : describe(s, s.score, threshold, family);
      return windowed && s.score !== null ? reason + windowNote(windowed, k, positions) : reason;
    });
    const cut = result.tokens < result.fullTokens;
    return {
      criticId: this.id,
      ...judgeScores(
        scores.map((s) => s.score),
        threshold,
        reasons,
      ),
      rationale: windowed
        ? windowRationale(windowed, info?.maxTokens ?? 0, this.window?.overlap ?? 0, positions)
        : cut
          ? `Only ${result.tokens} of the ${result.fullTokens} tokens this solution needs fit the model's context; later steps are unscored.`
          : undefined,
      // The exact input the model scored (each window's, when windowed), for the inspector's raw view.
      raw: windowed
        ? windowed.inputs.map((text, w) => `${windowHeader(windowed, w, positions)}${text}`).join('\n\n')
        : result.input,
      timing: { startedAt, durationMs: Date.now() - startedAt },
      usage,
    };
  }

  dispose(): void {
    this.runner.dispose();
  }
}

/** Why a scored step got its verdict: what the family read, and how it compares with the threshold. */
function describe(step: StepScore, score: number, threshold: number, family: string): string {
  const s = score.toFixed(3);
  const raw = step.raw === undefined ? '' : step.raw.toFixed(3);
  const cmp = `${isCorrectScore(score, threshold) ? '>' : '≤'} threshold ${threshold}`;
  switch (family) {
    case 'token-classification':
      return `P(correct) ${s} at the step tag (token ${step.position}), ${cmp}${noteOf(step)}`;
    case 'tag-token':
    case 'chat-tag-token':
      return `p(+) ${s} vs p(−) at token ${step.position} (logit margin ${raw}), ${cmp}${noteOf(step)}`;
    case 'value-head':
      return `value ${raw} → ${s} at token ${step.position}, ${cmp}${noteOf(step)}`;
    case 'implicit':
      return `implicit reward ${raw} (β·Σ log π/π_ref) → σ = ${s}, ${cmp}${noteOf(step)}`;
    default:
      return `score ${s}, ${cmp}`;
  }
}

/** A windowed step's mark (windows after the first only: the first saw every step before its own). */
function windowNote(windowed: Windowed, k: number, positions: readonly number[]): string {
  const w = windowed.windowOf[k];
  if (w <= 0) return '';
  const start = positions[windowed.windows[w].first] + 1;
  return `; scored in window ${w + 1} of ${windowed.windows.length}, which starts at step ${start}: earlier steps not seen`;
}

function windowRationale(windowed: Windowed, maxTokens: number, overlap: number, positions: readonly number[]): string {
  const later = windowed.windows.slice(1);
  const from = later.length > 0 ? positions[later[0].from] + 1 : undefined;
  const rest = from === undefined ? '' : ` Steps from ${from} on were scored without the steps before their window.`;
  const carried =
    overlap > 0
      ? ` and carrying earlier steps in up to ${Math.round(overlap * 100)}% of the context`
      : ', without earlier steps';
  return (
    `Longer than the model's ${maxTokens} tokens: scored in ${windowed.windows.length} windows, each restating the ` +
    `problem${carried}.${rest}`
  );
}

function windowHeader(windowed: Windowed, w: number, positions: readonly number[]): string {
  if (windowed.windows.length < 2) return '';
  const { first, last } = windowed.windows[w];
  return `──── window ${w + 1} of ${windowed.windows.length}: steps ${positions[first] + 1}–${positions[last] + 1} ────\n`;
}

/** A scored step's detail (a token straddling its boundary, the implicit PRM's weakest token) after its reason. */
function noteOf(step: StepScore): string {
  return step.note ? `; ${step.note}` : '';
}

export async function createOnnxCritic(config: CriticConfig, context: CriticContext): Promise<OnnxCritic> {
  return new OnnxCritic(config, context);
}
