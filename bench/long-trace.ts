/**
 * Generates long synthetic reasoning traces for benchmarks: a `## Problem`, a `<think>` block of `paragraphs`
 * paragraphs that cycle through attempts, reflections ("Wait, …"), strategy shifts and conclusions, with arithmetic,
 * inline LaTeX and an occasional display-math block, then a short answer. Deterministic for a given size; 2,000
 * paragraphs are about 54,000 Qwen3 tokens.
 */
export function longTrace(paragraphs: number): string {
  const problem = 'Find the sum of the first n squares for a large n, checking each partial sum.';
  const out = ['## Problem', '', problem, '', '<think>'];
  for (let i = 0; i < paragraphs; i++) {
    const a = (i % 97) + 3;
    const b = (i % 13) + 2;
    switch (i % 20) {
      case 7:
        out.push(`Wait, let me re-check the partial sum: ${a} × ${b} = ${a * b}, and adding ${i} gives ${a * b + i}.`);
        break;
      case 13:
        out.push(`Alternatively, use the closed form $\\frac{n(n+1)(2n+1)}{6}$ with $n = ${a}$ and compare the terms.`);
        break;
      case 17:
        out.push(`$$\n\\sum_{k=1}^{${a}} k^2 = ${(a * (a + 1) * (2 * a + 1)) / 6}\n$$`);
        break;
      case 19:
        out.push(`So the partial answer for this block is ${(a * (a + 1) * (2 * a + 1)) / 6}, and we move on.`);
        break;
      default:
        out.push(`Next we square ${a} to get ${a * a}, so the running total is now ${i * a + b}.`);
    }
    out.push('');
  }
  out.push('</think>', '', 'Adding the blocks gives the total, so the answer is $\\boxed{42}$.', '');
  return out.join('\n');
}
