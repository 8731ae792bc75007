import os from 'node:os';
import path from 'node:path';
import { CriticConfigError } from './types';

/**
 * A file or folder named in a critic's configuration (`field`): `~` is the home folder, and a relative path starts at
 * `baseDir` (the config file's folder for the CLI, the trusted workspace's folder in the editor). Without `baseDir`
 * (an untrusted workspace, or no folder open) a relative path is an error: the editor's working folder means nothing
 * to the user, and an untrusted folder must not supply the models and prompts of the user's own critics.
 */
export function configPath(value: string, baseDir: string | undefined, criticId: string, field: string): string {
  const expanded = value === '~' || value.startsWith('~/') ? path.join(os.homedir(), value.slice(1)) : value;
  if (path.isAbsolute(expanded)) return expanded;
  if (baseDir === undefined) {
    throw new CriticConfigError(
      `critic "${criticId}": "${field}" is the relative path ${JSON.stringify(value)}, and relative paths are read ` +
        'only from a trusted workspace folder; give an absolute path (or one starting with ~/)',
      criticId,
      field,
    );
  }
  return path.resolve(baseDir, expanded);
}
