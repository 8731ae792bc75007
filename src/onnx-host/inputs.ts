import { resolveSpecTokens } from '../core/critics/onnx/folder';
import { cumulativePrefixTexts, LayoutContext, loadLayoutContext, planInput } from '../core/critics/onnx/layout';
import { SolutionInput } from '../core/critics/onnx/protocol';
import { assemble, cumulativeSums, Fitted, fitToContext, Sequence } from '../core/critics/onnx/sequence';
import { PrmSpec } from '../core/critics/onnx/spec';
import { Encoded } from '../core/critics/onnx/tokens';
import { NativePieceTokenizer } from './tokenizer';

/**
 * How a model folder turns solutions into token ids, exactly as the model's reference code does: whole strings, or
 * the prompt and each step apart (prm.json's "encoding"), chat markup from the folder's tokenizer config when
 * prm.json says so, and every score read where the reference reads it.
 */
export class InputBuilder {
  private constructor(
    readonly spec: PrmSpec,
    private readonly tokenizer: NativePieceTokenizer,
    readonly context: LayoutContext,
  ) {}

  /** Resolves prm.json's tokens and reads the tokenizer config; throws with the reason when they do not work. */
  static async create(folder: string, spec: PrmSpec, tokenizer: NativePieceTokenizer): Promise<InputBuilder> {
    const tokens = await resolveSpecTokens(spec, tokenizer, tokenizer.vocabSize);
    const tagText = typeof spec.stepTag === 'number' ? await tokenizer.decode([spec.stepTag]) : undefined;
    return new InputBuilder(spec, tokenizer, await loadLayoutContext(folder, spec, tokens, tagText));
  }

  /** Each solution's ids, read positions and step ranges, and what of it fits the model's context. */
  async prepare(solutions: readonly SolutionInput[]): Promise<{ sequences: Sequence[]; fitted: Fitted[] }> {
    const { spec, context } = this;
    const plans = solutions.map((s) => planInput(spec, context, s.problem, s.steps));
    const encoded = await this.encodeAll(
      plans.flatMap((segments) => segments.flatMap((g) => (g.kind === 'text' ? [g.text] : []))),
    );
    const sequences = plans.map((segments, i) =>
      assemble(segments, solutions[i].steps.length, (t) => encoded.get(t) as Encoded),
    );
    if (spec.family === 'implicit' && spec.rewardMode === 'cumulative') {
      const prefixes = solutions.map((s) => cumulativePrefixTexts(spec, context, s.problem, s.steps));
      const lengths = await this.encodeAll(prefixes.flat());
      sequences.forEach((seq, i) => {
        const boundaries = prefixes[i].map((t) => (lengths.get(t) as Encoded).ids.length - 2);
        seq.sums = cumulativeSums(boundaries, seq.ids.length);
      });
    }
    return { sequences, fitted: sequences.map((s) => fitToContext(s, spec.family, spec.maxTokens)) };
  }

  private async encodeAll(texts: string[]): Promise<Map<string, Encoded>> {
    const unique = [...new Set(texts)];
    const encoded = await this.tokenizer.encode(unique, { addSpecialTokens: this.spec.addSpecialTokens });
    return new Map(unique.map((t, i) => [t, encoded[i]]));
  }
}
