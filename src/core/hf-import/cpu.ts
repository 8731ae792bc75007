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
 * The rule: int8 weights (DynamicQuantizeMatMul: MLAS's u8s8 GEMM has AMX-INT8 and AVX-512 VNNI / AVX-VNNI kernels)
 * where the CPU has one of those; otherwise int4 (MatMulNBits, float32 compute: a quarter of the bytes to stream).
 */
export function chooseWeights(flags: readonly string[]): { weights: WeightFormat; reason: string } {
  const has = (f: string) => flags.includes(f);
  const int8 = ['amx_int8', 'avx512_vnni', 'avx_vnni'].filter(has);
  if (int8.length > 0)
    return { weights: 'int8', reason: `the CPU has ${int8.join(', ')}: int8 matrix products run on them` };
  return {
    weights: 'int4',
    reason:
      flags.length === 0
        ? 'CPU features unknown: 4-bit weights'
        : 'no int8 dot-product instructions (VNNI/AMX): 4-bit weights',
  };
}
