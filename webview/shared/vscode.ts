/** The VS Code webview API, typed with this webview's outgoing messages and saved state. */
interface VsCodeApi<Out, State> {
  postMessage(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<Out, State>(): VsCodeApi<Out, State>;

let api: unknown;

/** acquireVsCodeApi may be called once per webview: every module shares this instance. */
export function vscodeApi<Out, State>(): VsCodeApi<Out, State> {
  api ??= acquireVsCodeApi<Out, State>();
  return api as VsCodeApi<Out, State>;
}

/** Calls `handler` with every message the extension host posts. */
export function onHostMessage<In>(handler: (message: In) => void): void {
  window.addEventListener('message', (event: MessageEvent<In>) => handler(event.data));
}
