// A throwaway workspace folder holding copies of the repo's examples, so tests that edit or save never touch the repo.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from './setup.mjs';

export function makeWorkspace(name = 'workspace') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `prm-lens-${name}-`));
  const examples = path.join(REPO_ROOT, 'examples');
  if (fs.existsSync(examples)) fs.cpSync(examples, dir, { recursive: true });
  return {
    dir,
    cleanup() {
      if (!process.env.PRM_LENS_KEEP_TMP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
