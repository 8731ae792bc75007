import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage } from '../util/errors';

/**
 * A result cache folder and the mark that makes it one. PRM Lens writes `CACHEDIR.TAG` (the Cache Directory Tagging
 * convention, so backup tools skip the folder) when it creates the folder; a folder without PRM Lens's tag is never
 * written into, summarised, pruned or cleared, whatever it holds. Nothing is guessed from a folder's contents: a
 * project folder given as `--cache-dir` is refused before anything on disk is touched.
 */

export const CACHE_MARKER = 'CACHEDIR.TAG';
const MARKER_HEAD = 'Signature: 8a477f597d28d172789f06886806bc55\n# This folder is a result cache created by PRM Lens';
const MARKER_TEXT =
  `${MARKER_HEAD} (critic results by content; "prm-lens cache" summarises it, "prm-lens clear-cache" empties ` +
  'it).\n# For information about cache directory tags see https://bford.info/cachedir/\n';

/** Entries are `<dir>/<first two hex digits of the key>/<key>.json`; writes go through `<key>.json.<pid>.<hex>.tmp`. */
export const SHARD = /^[0-9a-f]{2}$/;
export const ENTRY = /^([0-9a-f]{64})\.json$/;
export const TEMP = /^[0-9a-f]{64}\.json\.\d+\.[0-9a-f]{8}\.tmp$/;

export function entryPath(dir: string, key: string): string {
  return join(dir, key.slice(0, 2), `${key}.json`);
}

export function tempPath(file: string): string {
  return `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
}

/** A folder PRM Lens will not use as its cache, and why; nothing in it was changed. */
export class NotACacheFolderError extends Error {
  constructor(
    readonly dir: string,
    reason: string,
  ) {
    super(`${dir} ${reason}`);
    this.name = 'NotACacheFolderError';
  }
}

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

async function hasMarker(dir: string): Promise<boolean> {
  const file = join(dir, CACHE_MARKER);
  try {
    const s = await lstat(file);
    return s.isFile() && s.size < 4096 && (await readFile(file, 'utf8')).startsWith(MARKER_HEAD);
  } catch {
    return false;
  }
}

async function writeMarker(dir: string): Promise<void> {
  const file = join(dir, CACHE_MARKER);
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, MARKER_TEXT);
    await rename(temp, file);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/** The folder itself, not a link to it, and a folder. Reads only. */
async function folderKind(dir: string): Promise<'missing' | 'folder'> {
  let s;
  try {
    s = await lstat(dir);
  } catch (err) {
    if (code(err) === 'ENOENT') return 'missing';
    throw new NotACacheFolderError(dir, `cannot be read: ${errorMessage(err)}`);
  }
  if (s.isSymbolicLink()) {
    throw new NotACacheFolderError(
      dir,
      'is a symbolic link; PRM Lens never follows one (give the cache folder itself)',
    );
  }
  if (!s.isDirectory()) throw new NotACacheFolderError(dir, 'is a file, not a cache folder');
  return 'folder';
}

/**
 * Whether `dir` is a cache folder PRM Lens created ('cache') or does not exist ('missing'); anything else (a link, a
 * file, a folder without PRM Lens's tag: `.`, `/`, the home or a project folder) throws NotACacheFolderError. It
 * only reads, so a refusal leaves the disk as it was.
 */
export async function checkCacheFolder(dir: string): Promise<'missing' | 'cache'> {
  if ((await folderKind(dir)) === 'missing') return 'missing';
  if (!(await hasMarker(dir))) {
    throw new NotACacheFolderError(dir, `was not created by PRM Lens (it has no ${CACHE_MARKER} of PRM Lens)`);
  }
  return 'cache';
}

/** Only PRM Lens's tag, or its temporary file, is there: a folder another process of PRM Lens is creating. */
async function isFresh(dir: string): Promise<boolean> {
  const names = await readdir(dir);
  return names.every((n) => n === CACHE_MARKER || n.startsWith(`${CACHE_MARKER}.`));
}

/** Checks or writes the tag of an existing folder (see openCacheFolder). */
async function tagExisting(dir: string, adopt: boolean): Promise<void> {
  await folderKind(dir);
  if (await hasMarker(dir)) return;
  if (!adopt && !(await isFresh(dir))) {
    throw new NotACacheFolderError(
      dir,
      `holds files PRM Lens did not write and has no ${CACHE_MARKER} of PRM Lens: not used as a cache ` +
        '(choose an empty or new folder)',
    );
  }
  await writeMarker(dir);
}

/**
 * Makes `dir` ready to hold entries: creates and tags it, or checks the tag of an existing one. An existing folder
 * without the tag is taken only when it is empty (made for the cache by hand), or with `adopt`, for a folder in
 * storage only PRM Lens writes (the extension's own), which earlier versions left untagged.
 */
export async function openCacheFolder(dir: string, adopt = false): Promise<void> {
  await mkdir(dirname(dir), { recursive: true });
  try {
    await mkdir(dir);
    await writeMarker(dir);
    return;
  } catch (err) {
    if (code(err) !== 'EEXIST') throw err;
  }
  await tagExisting(dir, adopt);
}

/**
 * Tags an existing folder of the extension's own storage that an earlier version left untagged, so it can be
 * summarised and cleared; a missing folder stays missing. Never for a folder the user names.
 */
export async function adoptCacheFolder(dir: string): Promise<void> {
  if ((await folderKind(dir)) === 'folder') await tagExisting(dir, true);
}
