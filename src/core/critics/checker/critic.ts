import { readCriticFields } from '../../config/critics';
import { CancelledError, Critic, CriticConfig, CriticInput, CriticResult, StepJudgement } from '../types';
import { checkStep } from './bounded';

/** The run yields to the event loop this often, so that the extension host stays responsive on long files. */
const SLICE_MS = 20;

/** The checker from its configuration: it has no fields besides id, type and label. */
export function createChecker(config: CriticConfig): CheckerCritic {
  return new CheckerCritic({ id: config.id, label: readCriticFields(config, 'checker').label });
}

/** The default judge: checks the arithmetic each step asserts, offline and deterministically. */
export class CheckerCritic implements Critic {
  readonly id: string;
  readonly type = 'checker';
  readonly label: string;

  constructor(config: { id?: string; label?: string } = {}) {
    this.id = config.id ?? 'checker';
    this.label = config.label ?? 'Built-in arithmetic checker';
  }

  async score(input: CriticInput): Promise<CriticResult> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const steps: StepJudgement[] = [];
    let sliceStart = t0;
    for (const step of input.steps) {
      if (performance.now() - sliceStart > SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
      if (input.signal?.aborted) throw new CancelledError();
      const { verdict, reason } = checkStep(step, { problem: input.problem });
      // A verdict, not a probability: the checker never scores.
      steps.push(reason === undefined ? { score: null, verdict } : { score: null, verdict, reason });
    }
    if (input.signal?.aborted) throw new CancelledError();
    return {
      criticId: this.id,
      steps,
      firstError: steps.findIndex((s) => s.verdict === 'incorrect'),
      timing: { startedAt, durationMs: performance.now() - t0 },
    };
  }
}
