import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * Loads the built extension bundle outside VS Code with a recording stand-in for the `vscode` module and measures
 * what activation costs: the bundle's load time, `activate()`'s time, and every module required on the way.
 */
export async function activationCost(repoRoot: string): Promise<{ loadMs: number; activateMs: number; modules: string[]; bundleBytes: number }> {
  const required: string[] = [];
  const moduleApi = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const originalLoad = moduleApi._load;
  moduleApi._load = function load(request: string, parent: unknown, isMain: boolean) {
    required.push(request);
    return request === 'vscode' ? vscodeStandIn() : originalLoad.call(this, request, parent, isMain);
  };
  try {
    const bundle = path.join(repoRoot, 'dist', 'extension.js');
    const t0 = performance.now();
    const ext = createRequire(__filename)(bundle) as { activate: (ctx: unknown) => unknown };
    const t1 = performance.now();
    ext.activate({ subscriptions: [], extensionUri: { path: repoRoot }, workspaceState: { get: (_k: string, d: unknown) => d, update: async () => undefined } });
    const t2 = performance.now();
    const { statSync } = await import('node:fs');
    return { loadMs: t1 - t0, activateMs: t2 - t1, modules: [...new Set(required)].filter((m) => m !== bundle), bundleBytes: statSync(bundle).size };
  } finally {
    moduleApi._load = originalLoad;
  }
}

/** Every property access yields something callable and constructible, so activation runs its real code path. */
function vscodeStandIn(): unknown {
  const handler: ProxyHandler<() => void> = {
    get: (_t, prop) => (prop === Symbol.toPrimitive ? () => 0 : prop === 'then' ? undefined : new Proxy(function () {}, handler)),
    apply: () => new Proxy(function () {}, handler),
    construct: () => new Proxy(function () {}, handler),
  };
  return new Proxy(function () {}, handler);
}
