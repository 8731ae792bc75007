import { open, type FileHandle } from 'node:fs/promises';

/** Opens an input file; a missing or unreadable file is an Error naming it (not an issue: nothing can be read). */
export async function openInput(file: string, what: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new Error(`${what} not found: ${file}`, { cause: e });
    throw new Error(`Cannot open ${what.toLowerCase()} ${file}: ${err.message}`, { cause: e });
  }
}

export type Layout = 'array' | 'lines' | 'empty';

const BOM = [0xef, 0xbb, 0xbf];

/** A file whose first non-whitespace character is "[" is one JSON array; anything else is read as JSON lines. */
export async function detectLayout(fh: FileHandle): Promise<Layout> {
  const buffer = Buffer.alloc(64 * 1024);
  let position = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return 'empty';
    for (let i = 0; i < bytesRead; i++) {
      const byte = buffer[i];
      if (position + i < BOM.length && byte === BOM[position + i]) continue;
      if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
      return byte === 0x5b ? 'array' : 'lines';
    }
    position += bytesRead;
  }
}
