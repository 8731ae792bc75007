import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CheckpointError, SafetensorsFile, TensorEntry } from './safetensors';

export const INDEX_FILE = 'model.safetensors.index.json';
export const SINGLE_FILE = 'model.safetensors';

/**
 * A Hugging Face checkpoint's weights: one `model.safetensors`, or shards listed by `model.safetensors.index.json`
 * (its `weight_map` names the shard of every tensor). Shards are opened on first use; only one tensor is in memory at
 * a time.
 */
export class Checkpoint {
  private readonly open = new Map<string, SafetensorsFile>();

  private constructor(
    readonly folder: string,
    /** Tensor name → shard file name. */
    private readonly shardOf: Map<string, string>,
    private readonly entries: Map<string, TensorEntry>,
  ) {}

  static open(folder: string): Checkpoint {
    const index = path.join(folder, INDEX_FILE);
    const shardOf = new Map<string, string>();
    if (existsSync(index)) {
      let map: unknown;
      try {
        map = (JSON.parse(readFileSync(index, 'utf8')) as { weight_map?: unknown }).weight_map;
      } catch {
        throw new CheckpointError(`${index}: not valid JSON`);
      }
      if (typeof map !== 'object' || map === null) throw new CheckpointError(`${index}: has no "weight_map" object`);
      for (const [name, shard] of Object.entries(map)) {
        if (typeof shard !== 'string' || shard !== path.basename(shard) || !shard.endsWith('.safetensors'))
          throw new CheckpointError(
            `${index}: tensor "${name}" maps to ${JSON.stringify(shard)}, not a .safetensors file in the folder`,
          );
        shardOf.set(name, shard);
      }
    } else if (!existsSync(path.join(folder, SINGLE_FILE))) {
      const found = readdirSync(folder).filter((f) => f.endsWith('.safetensors'));
      throw new CheckpointError(
        found.length > 0
          ? `${folder}: ${found.length} .safetensors files but no ${INDEX_FILE} saying which tensor is in which`
          : `${folder}: no ${SINGLE_FILE} or ${INDEX_FILE} (PRM Lens imports safetensors checkpoints; convert .bin weights with transformers' save_pretrained(safe_serialization=True))`,
      );
    }
    const entries = new Map<string, TensorEntry>();
    const checkpoint = new Checkpoint(folder, shardOf, entries);
    const indexed = shardOf.size > 0;
    const shards = indexed ? [...new Set(shardOf.values())] : [SINGLE_FILE];
    try {
      for (const shard of shards) {
        for (const [name, entry] of checkpoint.file(shard).tensors) {
          if (indexed && shardOf.get(name) !== shard) continue;
          entries.set(name, entry);
          if (!indexed) shardOf.set(name, shard);
        }
      }
      for (const [name, shard] of shardOf) {
        if (!entries.has(name))
          throw new CheckpointError(
            `${path.join(folder, shard)}: has no tensor "${name}", which ${INDEX_FILE} puts there`,
          );
      }
    } catch (err) {
      checkpoint.close();
      throw err;
    }
    return checkpoint;
  }

  private file(shard: string): SafetensorsFile {
    let f = this.open.get(shard);
    if (!f) {
      f = SafetensorsFile.open(path.join(this.folder, shard));
      this.open.set(shard, f);
    }
    return f;
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  shape(name: string): readonly number[] | undefined {
    return this.entries.get(name)?.shape;
  }

  /** Bytes of all tensors, as stored. */
  get bytes(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.end - e.start;
    return n;
  }

  /** Reads one tensor as float32, checking its shape; a missing tensor is named with the shard it should be in. */
  read(name: string, shape: readonly number[]): Float32Array {
    const shard = this.shardOf.get(name);
    if (!shard) throw new CheckpointError(`${this.folder}: the checkpoint has no tensor "${name}"`);
    return this.file(shard).read(name, shape);
  }

  close(): void {
    for (const f of this.open.values()) f.close();
    this.open.clear();
  }
}
