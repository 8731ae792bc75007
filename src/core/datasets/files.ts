import { open, type FileHandle } from 'node:fs/promises';
import { sniffEncoding, textDecoder } from './encoding';

/**
 * An input file that cannot be used at all: missing, unreadable, a folder, or not the kind of file the command
 * reads. Unlike an issue with one record, nothing can be read from it (the CLI exits 2: bad input).
 */
export class InputFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Opens an input file; a missing or unreadable file, or a folder, is an InputFileError naming it. */
export async function openInput(file: string, what: string): Promise<FileHandle> {
  let fh: FileHandle;
  try {
    fh = await open(file, 'r');
  } catch (e) {
    throw cannotRead(file, what, e);
  }
  // Opening a folder succeeds on Linux; only the first read would fail, with a bare EISDIR.
  const isFolder = await fh.stat().then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (isFolder) {
    await fh.close();
    throw new InputFileError(file, `${what} ${file} is a folder, not a file`);
  }
  return fh;
}

/** Reads a whole text input file (UTF-8); a file that cannot be opened fails as in openInput. */
export async function readInputBytes(file: string, what: string): Promise<Buffer> {
  const fh = await openInput(file, what);
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

function cannotRead(file: string, what: string, e: unknown): InputFileError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return new InputFileError(file, `${what} not found: ${file}`, { cause: e });
  return new InputFileError(file, `Cannot open ${what.toLowerCase()} ${file}: ${err.message}`, { cause: e });
}

export type Layout = 'array' | 'lines' | 'empty';

/**
 * A file whose first non-whitespace character is "[" is one JSON array; anything else is read as JSON lines. The
 * text is decoded as the readers decode it (UTF-8, or UTF-16 with a byte-order mark; the mark is skipped).
 */
export async function detectLayout(fh: FileHandle): Promise<Layout> {
  const buffer = Buffer.alloc(64 * 1024);
  let decoder: TextDecoder | undefined;
  for (let position = 0; ;) {
    const { bytesRead } = await fh.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return 'empty';
    decoder ??= textDecoder(sniffEncoding(buffer.subarray(0, bytesRead)));
    const first = /[^ \t\n\r]/.exec(decoder.decode(buffer.subarray(0, bytesRead), { stream: true }));
    if (first) return first[0] === '[' ? 'array' : 'lines';
    position += bytesRead;
  }
}
