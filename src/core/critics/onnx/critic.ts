import os from 'node:os';
import path from 'node:path';
import type { CriticContext } from '../registry';
import { ConfigReader } from '../remote/config';
import { Critic, CriticConfig, CriticInput, CriticResult, StepJudgement } from '../types';
import { SolutionScores, StepScore } from './protocol';
import { defaultHostScript, OnnxRunner } from './runner';
import { emitOnnxProgress, onnxSettings } from './settings';

/**
 * A local PRM (a folder with an ONNX graph, tokenizer.json and prm.json) as a critic. Config:
 * `{"id": "qwen-prm", "type": "onnx", "path": "/models/qwen2.5-math-prm-7b", "threads": 2, "idleUnloadSeconds": 300}`.
 * A relative path is resolved from the config file's folder (CLI) or the workspace (editor); `~` is the home folder.
 */
export class OnnxCritic implements Critic {
  readonly type = 'onnx';
  readonly id: string;
  readonly label: string;
  readonly folder: string;
  private readonly runner: OnnxRunner;

  constructor(config: CriticConfig, context: CriticContext = {}, hostScript = defaultHostScript()) {
    const reader = new ConfigReader(config);
    const raw = reader.requiredString('path', '"/models/qwen2.5-math-prm-7b" (a folder with prm.json)');
    const threads = reader.number('threads', -1, { min: 0, max: 256, integer: true });
    const idle = reader.number('idleUnloadSeconds', -1, { min: 0 });
    reader.done();
    const expanded = raw === '~' || raw.startsWith('~/') ? path.join(os.homedir(), raw.slice(1)) : raw;
    this.folder = path.resolve(context.baseDir ?? process.cwd(), expanded);
    this.id = config.id;
    this.label = config.label ?? `${path.basename(this.folder)} (local)`;
    this.runner = new OnnxRunner({
      folder: this.folder,
      hostScript,
      threads: () => (threads >= 0 ? threads : onnxSettings().threads),
      idleMs: () => 1000 * (idle >= 0 ? idle : onnxSettings().idleUnloadSeconds),
    });
  }

  async score({ problem, steps, signal }: CriticInput): Promise<CriticResult> {
    const startedAt = Date.now();
    const report = (progress: Parameters<typeof emitOnnxProgress>[0]['progress']) => emitOnnxProgress({ criticId: this.id, label: this.label, progress });
    let result: SolutionScores;
    try {
      [result] = await this.runner.score([{ problem, steps: [...steps] }], signal, report);
    } finally {
      report(undefined);
    }
    const info = this.runner.model;
    const threshold = info?.threshold ?? 0.5;
    const judged = result.steps.map((s) => judge(s, threshold, info?.family ?? 'onnx'));
    const firstWrong = judged.findIndex((j) => j.verdict === 'incorrect');
    const firstUnscored = judged.findIndex((j) => j.verdict === 'unknown');
    // An unscored step before any wrong one leaves the first error unknown.
    const firstError = firstUnscored >= 0 && (firstWrong < 0 || firstUnscored < firstWrong) ? null : firstWrong;
    const cut = result.tokens < result.fullTokens;
    return {
      criticId: this.id,
      steps: judged,
      firstError,
      rationale: cut ? `Only ${result.tokens} of the ${result.fullTokens} tokens this solution needs fit the model's context; later steps are unscored.` : undefined,
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

function judge(step: StepScore, threshold: number, family: string): StepJudgement {
  if (step.score === null) return { score: null, verdict: 'unknown', reason: step.note ?? 'not scored' };
  const verdict = step.score >= threshold ? 'correct' : 'incorrect';
  return { score: step.score, verdict, reason: describe(step, threshold, family) };
}

function describe(step: StepScore, threshold: number, family: string): string {
  const s = (step.score as number).toFixed(3);
  const raw = step.raw === undefined ? '' : step.raw.toFixed(3);
  const cmp = `${(step.score as number) >= threshold ? '≥' : '<'} threshold ${threshold}`;
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
