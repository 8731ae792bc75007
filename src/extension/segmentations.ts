import * as vscode from 'vscode';
import type { SegmentOptions } from '../core/segment/types';
import type { SettingsSource } from './ports';
import { pruneOverrides, recordOverride, SegmentationOverrides } from './segmentationOverrides';

const STORAGE_KEY = 'prmLens.segmentationOverrides';
/** Documents whose segmentation choice outlives the window: files. Others (untitled) keep it for this session. */
const PERSISTED_SCHEMES = new Set(['file', 'vscode-remote']);

const isFileKey = (key: string) => PERSISTED_SCHEMES.has(vscode.Uri.parse(key).scheme);

/**
 * How each document is split into steps: a document that knows its own segmentation (a dataset item) uses it;
 * otherwise the file's own choice, over the `prmLens.segmentation.*` settings.
 */
export class Segmentations {
  private readonly unsaved = new Map<string, SegmentOptions>();

  constructor(
    private readonly memento: vscode.Memento,
    private readonly settings: SettingsSource,
    /** The segmentation a document carries itself, if any. */
    private readonly intrinsic: (uri: vscode.Uri) => SegmentOptions | undefined,
  ) {}

  for(uri: vscode.Uri): SegmentOptions {
    const key = uri.toString();
    const chosen = this.stored()[key] ?? this.unsaved.get(key);
    return this.intrinsic(uri) ?? { ...this.settings.current.segmentation, ...chosen };
  }

  /** False for documents that carry their own segmentation. */
  canChoose(uri: vscode.Uri): boolean {
    return this.intrinsic(uri) === undefined;
  }

  async set(uri: vscode.Uri, options: SegmentOptions): Promise<void> {
    const key = uri.toString();
    if (!this.canChoose(uri)) throw new Error(`${key} carries its own segmentation`);
    if (!isFileKey(key)) {
      this.unsaved.set(key, options);
      return;
    }
    const stored = this.stored();
    const missing = new Set<string>();
    await Promise.all(
      Object.keys(stored).map(async (k) => {
        if (k !== key && isFileKey(k) && !(await exists(vscode.Uri.parse(k)))) missing.add(k);
      }),
    );
    const keep = (k: string) => isFileKey(k) && !missing.has(k);
    await this.memento.update(STORAGE_KEY, recordOverride(stored, key, options, keep));
  }

  /** Drops stored entries that are not files' (older versions stored one per dataset item ever opened). */
  async pruneStored(): Promise<void> {
    const stored = this.stored();
    const pruned = pruneOverrides(stored, isFileKey);
    if (Object.keys(pruned).length < Object.keys(stored).length) await this.memento.update(STORAGE_KEY, pruned);
  }

  private stored(): SegmentationOverrides {
    return this.memento.get<SegmentationOverrides>(STORAGE_KEY, {});
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}
