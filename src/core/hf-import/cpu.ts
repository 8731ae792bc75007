import { readFileSync } from 'node:fs';
import { WeightFormat } from './graph';

/**
 * `--weights auto`: the weight format fastest on this CPU with onnxruntime's CPU kernels, from the CPU's feature
 * flags (Linux /proc/cpuinfo; elsewhere none are known and the rule falls back to what every x86-64/ARM64 CPU runs).
 */

/** The CPU's feature flags; injected so the rule is testable. Returns [] where they cannot be read. */
export type CpuFlagsReader = () => string[];

export const readCpuFlags: CpuFlagsReader = () => {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => /^(flags|Features)\s*:/.test(l));
    return line ? line.split(':')[1].trim().split(/\s+/) : [];
  } catch {
    return [];
  }
};

/**
 * The rule, from measurements on this project's benchmark (Qwen2-0.5B shape, 512 tokens; see models/README.md):
 * a PRM reads whole prompts, so the matrix products are compute-bound. int8 weights (DynamicQuantizeMatMul: MLAS's
 * u8s8 GEMM has AMX-INT8 and AVX-512 VNNI / AVX-VNNI kernels) took less than half the time of every other format
 * where the CPU has those. 4-bit MatMulNBits (float32 compute) was no faster than float32 MatMul, so without
 * VNNI/AMX the exact fp32 is chosen when its weights take at most half the memory, else int4 (a 7B model in ~4 GB).
 */
export function chooseWeights(
  flags: readonly string[],
  fp32Bytes = 0,
  totalMemory = Infinity,
): { weights: WeightFormat; reason: string } {
  const has = (f: string) => flags.includes(f);
  const int8 = ['amx_int8', 'avx512_vnni', 'avx_vnni'].filter(has);
  if (int8.length > 0)
    return { weights: 'int8', reason: `the CPU has ${int8.join(', ')}: int8 matrix products run on them` };
  const gb = (n: number) => `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (fp32Bytes <= totalMemory / 2)
    return {
      weights: 'fp32',
      reason: `no int8 dot-product instructions (VNNI/AMX)${flags.length === 0 ? ' known' : ''}; float32 weights (${gb(fp32Bytes)}) fit in memory`,
    };
  return {
    weights: 'int4',
    reason: `no int8 dot-product instructions (VNNI/AMX)${flags.length === 0 ? ' known' : ''} and float32 weights (${gb(fp32Bytes)}) would take more than half of the memory (${gb(totalMemory)})`,
  };
}
