import type { DatasetItem } from './types';
import { isObject, subsetFromFileName } from './validate';

/** Where a file's subsets came from: each record's own, the id prefix (`gsm8k-12` → `gsm8k`), or the file name. */
export type SubsetRule = 'field' | 'id-prefix' | 'file-name';

export interface SubsetReport {
  file: string;
  rule: SubsetRule;
  /** The subsets the rule gave, in order of first appearance. */
  subsets: string[];
}

/** `gsm8k-12` → `gsm8k`; undefined for an id not of the form `<prefix>-<number>`. */
export function idPrefix(id: string): string | undefined {
  return /^(.+)-\d+$/.exec(id)?.[1];
}

/**
 * The subset rule of one file, fed its items in order: a record's `subset` (or its layout's own category) wins;
 * otherwise the subset is the file name, unless the file mixes id prefixes (a combined ProcessBench file, whose
 * records carry no `subset`: `gsm8k-0`, …, `math-0`, …), where each item's subset is its id prefix. Deciding needs
 * a second prefix, so from the first prefixed item without a subset until a second prefix (or the end of the file)
 * items are held back, in order; a file of one prefix is thus held whole (ProcessBench's own subset files are
 * 400–1,000 items).
 */
export class SubsetAssigner {
  private mode: 'undecided' | 'id-prefix' = 'undecided';
  private firstPrefix: string | undefined;
  /** Items held back, each with the prefix it takes should the file turn out to mix them. */
  private held: { item: DatasetItem; prefix: string | undefined }[] = [];
  private fellBack = false;
  private readonly subsets = new Set<string>();
  private readonly fileSubset: string;

  constructor(private readonly file: string) {
    this.fileSubset = subsetFromFileName(file);
  }

  /** The items ready to yield after `item` (read from `raw`). */
  push(item: DatasetItem, raw: unknown): DatasetItem[] {
    const given = isObject(raw) && typeof raw.subset === 'string' && raw.subset !== '';
    const ownSubset = given || item.subset !== this.fileSubset;
    const prefix = ownSubset ? undefined : idPrefix(item.id);
    if (!ownSubset) this.fellBack = true;
    if (this.mode === 'id-prefix') return [this.done(prefix === undefined ? item : { ...item, subset: prefix })];
    if (prefix !== undefined && this.firstPrefix !== undefined && prefix !== this.firstPrefix) {
      this.mode = 'id-prefix';
      const ready = [...this.held, { item, prefix }].map((h) =>
        this.done(h.prefix === undefined ? h.item : { ...h.item, subset: h.prefix }),
      );
      this.held = [];
      return ready;
    }
    if (prefix !== undefined) this.firstPrefix ??= prefix;
    if (this.firstPrefix === undefined) return [this.done(item)];
    this.held.push({ item, prefix });
    return [];
  }

  /** The held items, at the end of the file, and the rule used. */
  finish(): { items: DatasetItem[]; report: SubsetReport } {
    const items = this.held.map((h) => this.done(h.item));
    this.held = [];
    const rule: SubsetRule = this.mode === 'id-prefix' ? 'id-prefix' : this.fellBack ? 'file-name' : 'field';
    return { items, report: { file: this.file, rule, subsets: [...this.subsets] } };
  }

  private done(item: DatasetItem): DatasetItem {
    this.subsets.add(item.subset);
    return item;
  }
}
