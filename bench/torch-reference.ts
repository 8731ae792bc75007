import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelServer } from './model-server';

/**
 * The PyTorch eager reference (scripts/reference/qwen2_reference.py) as a child process: it loads a Hugging Face
 * folder once, then runs forward passes on request, so its runs can be interleaved with onnxruntime's.
 */

const SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'reference', 'qwen2_reference.py');

/**
 * A Python with torch: $PRM_LENS_PYTHON, else `python3` on PATH, else Debian's /usr/bin/python3 (python3-torch
 * installs there; a pyenv or venv python3 earlier on PATH does not see it). Undefined, with the reason, if none.
 */
export function findTorchPython(): { python?: string; version?: string; reason: string } {
  const candidates = [process.env.PRM_LENS_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    if (probe.status === 0) return { python, version: probe.stdout.trim(), reason: '' };
  }
  return { reason: `no Python with torch among ${candidates.join(', ')} (Debian: apt install python3-torch)` };
}

export interface TorchLoad {
  loadMs: number;
  rssMiB: number;
  head: 'lm' | 'score' | 'value';
}

export interface TorchRun {
  ms: number;
  shape: number[];
  peakRssMiB: number;
}

export class TorchReference {
  private constructor(
    private readonly server: ModelServer<TorchLoad>,
    readonly load: TorchLoad,
  ) {}

  static async start(python: string, modelDir: string, dtype: 'fp32' | 'bf16'): Promise<TorchReference> {
    // OMP_NUM_THREADS caps what torch.set_num_threads (and OpenBLAS's OpenMP build) can reach.
    const server = await ModelServer.start<TorchLoad>(python, [SCRIPT, modelDir, '--dtype', dtype], {
      ...process.env,
      OMP_NUM_THREADS: '2',
    });
    return new TorchReference(server, server.loaded);
  }

  /** One forward pass; with `outFile` the head's output comes back as float32. */
  async run(ids: readonly number[], threads: number, outFile?: string): Promise<TorchRun & { output?: Float32Array }> {
    const result = await this.server.request<TorchRun>({ ids, threads, ...(outFile ? { out: outFile } : {}) });
    if (!outFile) return result;
    const bytes = readFileSync(outFile);
    return {
      ...result,
      output: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
    };
  }

  async close(): Promise<void> {
    await this.server.close();
  }
}
