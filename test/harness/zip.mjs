// Reads zip archives (the packed .vsix) in Node with yauzl, so the package tier needs neither python3 nor unzip.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

/** The names of the archive's entries in archive order (folders, when stored, end with "/"). */
export async function listZip(file) {
  const zip = await yauzl.openPromise(file);
  const names = [];
  for await (const entry of zip.eachEntry()) names.push(entry.fileName);
  return names;
}

/**
 * Unpacks the archive into `dir`. yauzl rejects absolute names and names with `..` before they reach here, so
 * nothing is written outside `dir`.
 */
export async function extractZip(file, dir) {
  const zip = await yauzl.openPromise(file);
  for await (const entry of zip.eachEntry()) {
    const target = path.join(dir, entry.fileName);
    if (entry.fileName.endsWith('/')) {
      fs.mkdirSync(target, { recursive: true });
      continue;
    }
    fs.mkdirSync(path.dirname(target), { recursive: true });
    await pipeline(await zip.openReadStreamPromise(entry), fs.createWriteStream(target));
  }
}
