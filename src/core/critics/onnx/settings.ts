import { SETTINGS } from '../../config/settings';
import { Progress } from './protocol';

/**
 * Host-wide settings for local models (the extension sets them from `prmLens.onnx.*`; the CLI keeps the defaults
 * unless a critic's config overrides them), and a progress feed the editor shows while a model loads or runs.
 */
export interface OnnxSettings {
  /** onnxruntime intra-op threads per forward pass; 0 = one per physical core. */
  threads: number;
  /** Unload a model after this many seconds without work; 0 = keep it loaded. */
  idleUnloadSeconds: number;
}

let current: OnnxSettings = {
  threads: SETTINGS['onnx.threads'].default,
  idleUnloadSeconds: 60 * SETTINGS['onnx.idleUnloadMinutes'].default,
};

export function setOnnxSettings(settings: Partial<OnnxSettings>): void {
  current = { ...current, ...settings };
}

export function onnxSettings(): OnnxSettings {
  return current;
}

export interface OnnxProgressEvent {
  criticId: string;
  label: string;
  /** Undefined when the run ended (done, failed or cancelled). */
  progress: Progress | undefined;
}

type Listener = (event: OnnxProgressEvent) => void;
const listeners = new Set<Listener>();

export function onOnnxProgress(listener: Listener): { dispose(): void } {
  listeners.add(listener);
  return { dispose: () => listeners.delete(listener) };
}

export function emitOnnxProgress(event: OnnxProgressEvent): void {
  for (const l of listeners) l(event);
}
