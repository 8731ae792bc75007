import { open, type FileHandle } from 'node:fs/promises';
import { sniffEncoding, textDecoder } from './encoding';

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

/**
 * A file whose first non-whitespace character is "[" is one JSON array; anything else is read as JSON lines. The
 * text is decoded as the readers decode it (UTF-8, or UTF-16 with a byte-order mark; the mark is skipped).
 */
export async function detectLayout(fh: FileHandle): Promise<Layout> {
  const buffer = Buffer.alloc(64 * 1024);
  let decoder: TextDecoder | undefined;
  for (let position = 0; ; ) {
    const { bytesRead } = await fh.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return 'empty';
    decoder ??= textDecoder(sniffEncoding(buffer.subarray(0, bytesRead)));
    const first = /[^ \t\n\r]/.exec(decoder.decode(buffer.subarray(0, bytesRead), { stream: true }));
    if (first) return first[0] === '[' ? 'array' : 'lines';
    position += bytesRead;
  }
}
