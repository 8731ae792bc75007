// Test support written in TypeScript (the fake HTTP servers, the ONNX model builders) for the .mjs test tiers: npm test
// compiles it into out/ before those tiers run.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from './setup.mjs';

const require = createRequire(import.meta.url);

/** The compiled module `test/<relative>.ts`, e.g. compiled('fixtures/servers/http'). */
export function compiled(relative) {
  const file = path.join(REPO_ROOT, 'out', 'test', `${relative}.js`);
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run compile-tests (npm test does)`);
  return require(file);
}
