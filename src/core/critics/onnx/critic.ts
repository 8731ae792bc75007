import path from 'node:path';
import { readCriticFields } from '../../config/critics';
import { configPath } from '../configPath';
import { isCorrectScore, judgeScores } from '../judgement';
import { Critic, CriticConfig, CriticContext, CriticInput, CriticResult } from '../types';
import { SolutionScores, StepScore } from './protocol';
import { defaultHostScript, OnnxRunner } from './runner';
import { emitOnnxProgress, onnxSettings } from './settings';

/**
 * A local PRM (a folder with an ONNX graph, tokenizer.json and prm.json) as a critic. Config:
 * `{"id": "qwen-prm", "type": "onnx", "path": "/models/qwen2.5-math-prm-7b", "threads": 2, "idleUnloadSeconds": 300}`.
 * A relative path is resolved from the config file's folder (CLI) or the trusted workspace (editor); `~` is the home
 * folder.
 */
export class OnnxCritic implements Critic {
  readonly type = 'onnx';
  readonly id: string;
  readonly label: string;
  readonly folder: string;
  private readonly runner: OnnxRunner;

  constructor(config: CriticConfig, context: CriticContext = {}, hostScript = defaultHostScript()) {
    const { path: raw, threads, idleUnloadSeconds: idle } = readCriticFields(config, 'onnx');
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

  async score({ problem, steps, signal }: CriticInput): Promise<CriticResult> {
    const startedAt = Date.now();
    const report = (progress: Parameters<typeof emitOnnxProgress>[0]['progress']) =>
      emitOnnxProgress({ criticId: this.id, label: this.label, progress });
    let result: SolutionScores;
    try {
      [result] = await this.runner.score([{ problem, steps: [...steps] }], signal, report);
    } finally {
      report(undefined);
    }
    const info = this.runner.model;
    const threshold = info?.threshold ?? 0.5;
    const family = info?.family ?? 'onnx';
    const reasons = result.steps.map((s) =>
      s.score === null ? (s.note ?? 'not scored') : describe(s, s.score, threshold, family),
    );
    const cut = result.tokens < result.fullTokens;
    return {
      criticId: this.id,
      ...judgeScores(
        result.steps.map((s) => s.score),
        threshold,
        reasons,
      ),
      rationale: cut
        ? `Only ${result.tokens} of the ${result.fullTokens} tokens this solution needs fit the model's context; later steps are unscored.`
        : undefined,
      // The exact input the model scored, for the inspector's raw view.
      raw: result.input,
      timing: { startedAt, durationMs: Date.now() - startedAt },
      usage: { promptTokens: result.tokens, requests: 1 },
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

/** A scored step's detail (a token straddling its boundary, the implicit PRM's weakest token) after its reason. */
function noteOf(step: StepScore): string {
  return step.note ? `; ${step.note}` : '';
}

export async function createOnnxCritic(config: CriticConfig, context: CriticContext): Promise<OnnxCritic> {
  return new OnnxCritic(config, context);
}
