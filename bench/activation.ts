import Module, { createRequire } from 'node:module';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

/**
 * Loads the built extension bundle outside VS Code with a recording stand-in for the `vscode` module and measures
 * what activation costs: the bundle's load time, `activate()`'s time, and every module required on the way.
 */
export async function activationCost(
  repoRoot: string,
): Promise<{ loadMs: number; activateMs: number; modules: string[]; bundleBytes: number }> {
  const required: string[] = [];
  const bundle = path.join(repoRoot, 'dist', 'extension.js');
  // The bundle copies the vscode namespace's own keys (esbuild's __toESM), so the stand-in exposes every name the API
  // declares (a minified bundle's own names cannot be read back from it).
  const apiNames = vscodeApiNames(repoRoot);
  const moduleApi = Module as unknown as { _load: (request: string, parent: unknown, isMain: boolean) => unknown };
  const originalLoad = moduleApi._load;
  moduleApi._load = function load(request: string, parent: unknown, isMain: boolean) {
    required.push(request);
    return request === 'vscode' ? vscodeStandIn(apiNames) : originalLoad.call(this, request, parent, isMain);
  };
  try {
    const t0 = performance.now();
    const ext = createRequire(__filename)(bundle) as { activate: (ctx: unknown) => unknown };
    const t1 = performance.now();
    ext.activate({
      subscriptions: [],
      extensionUri: { path: repoRoot },
      workspaceState: { get: (_k: string, d: unknown) => d, update: async () => undefined },
    });
    const t2 = performance.now();
    return {
      loadMs: t1 - t0,
      activateMs: t2 - t1,
      modules: [...new Set(required)].filter((m) => m !== bundle),
      bundleBytes: statSync(bundle).size,
    };
  } finally {
    moduleApi._load = originalLoad;
  }
}

/** The top-level names the `vscode` module declares (namespaces, classes, enums, functions, constants). */
function vscodeApiNames(repoRoot: string): Set<string> {
  const types = readFileSync(path.join(repoRoot, 'node_modules', '@types', 'vscode', 'index.d.ts'), 'utf8');
  return new Set(
    Array.from(types.matchAll(/^\t?export (?:namespace|class|enum|const|let|function) ([A-Za-z_]\w*)/gm), (m) => m[1]),
  );
}

/** Every property access yields something callable and constructible, so activation runs its real code path. */
function vscodeStandIn(names: Set<string>): unknown {
  const handler: ProxyHandler<() => void> = {
    get: (_t, prop) =>
      prop === Symbol.toPrimitive ? () => 0 : prop === 'then' ? undefined : new Proxy(function () {}, handler),
    set: () => true,
    apply: () => new Proxy(function () {}, handler),
    construct: () => new Proxy(function () {}, handler),
  };
  return Object.fromEntries([...names].map((name) => [name, new Proxy(function () {}, handler)]));
}
