import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

// The package tier's zip reader (test/harness/zip.mjs), on archives written here byte by byte.
const root = path.resolve(__dirname, '..', '..', '..');

interface ZipModule {
  listZip(file: string): Promise<string[]>;
  extractZip(file: string, dir: string): Promise<void>;
}

/** A zip archive of the given entries (a name ending in "/" is a folder), deflated or stored. */
function zipOf(entries: [string, string][], deflate: boolean): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of entries) {
    const data = Buffer.from(text);
    const body = deflate && data.length > 0 ? deflateRawSync(data) : data;
    const method = body === data ? 0 : 8;
    const fileName = Buffer.from(name);
    // Shared fields of the local and central headers: version needed, flags (UTF-8 names), method, time, date, CRC,
    // sizes, name length, extra length.
    const common = Buffer.alloc(26);
    common.writeUInt16LE(20, 0);
    common.writeUInt16LE(0x800, 2);
    common.writeUInt16LE(method, 4);
    common.writeUInt32LE(crc32(data), 10);
    common.writeUInt32LE(body.length, 14);
    common.writeUInt32LE(data.length, 18);
    common.writeUInt16LE(fileName.length, 22);
    const local = Buffer.concat([u32(0x04034b50), common, fileName, body]);
    // Central header: version made by, the shared fields, then comment length, disk, internal and external
    // attributes (all zero) and where the local header is.
    centrals.push(Buffer.concat([u32(0x02014b50), u16(20), common, Buffer.alloc(10), u32(offset), fileName]));
    locals.push(local);
    offset += local.length;
  }
  const central = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(central.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, central, end]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n);
  return b;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

describe('the package tier reads the .vsix with yauzl', () => {
  let zip: ZipModule;
  let dir = '';
  const entries: [string, string][] = [
    ['extension/', ''],
    ['extension/package.json', '{"name": "prm-lens"}\n'],
    ['extension/dist/cli.js', `#!/usr/bin/env node\n${'console.log("prm-lens");\n'.repeat(50)}`],
    ['extension/media/ünïcode.svg', '<svg/>'],
  ];

  before(async () => {
    zip = (await import(pathToFileURL(path.join(root, 'test', 'harness', 'zip.mjs')).href)) as ZipModule;
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-zip-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const deflate of [false, true]) {
    test(`lists and unpacks every entry (${deflate ? 'deflated' : 'stored'})`, async () => {
      const file = path.join(dir, `${deflate ? 'deflated' : 'stored'}.vsix`);
      writeFileSync(file, zipOf(entries, deflate));
      assert.deepEqual(
        await zip.listZip(file),
        entries.map(([name]) => name),
      );
      const into = path.join(dir, `unpacked-${deflate}`);
      await zip.extractZip(file, into);
      for (const [name, text] of entries.filter(([n]) => !n.endsWith('/'))) {
        assert.equal(readFileSync(path.join(into, name), 'utf8'), text, name);
      }
    });
  }

  test('an entry naming a path outside the folder is refused and nothing is written there', async () => {
    const file = path.join(dir, 'evil.vsix');
    writeFileSync(
      file,
      zipOf(
        [
          ['extension/ok.txt', 'ok'],
          ['../escaped.txt', 'gotcha'],
        ],
        false,
      ),
    );
    const into = path.join(dir, 'evil', 'inner');
    await assert.rejects(zip.extractZip(file, into), /invalid relative path/);
    assert.equal(existsSync(path.join(dir, 'evil', 'escaped.txt')), false);
  });

  test('a file that is not a zip archive is an error', async () => {
    const file = path.join(dir, 'not.vsix');
    writeFileSync(file, 'not a zip file at all, but long enough to hold an end-of-directory record');
    await assert.rejects(zip.listZip(file), /End of central directory record signature not found/);
  });
});
