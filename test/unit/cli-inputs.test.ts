import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The CLI on hostile files, run as users run it: the bundled dist/cli.js in a child process.
const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Control characters a terminal would act on (all but newline and tab). */
const controls = (text: string): string[] =>
  [...text].filter((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && c !== '\n' && c !== '\t') || (code >= 0x7f && code <= 0x9f);
  });

describe('prm-lens CLI on hostile inputs', () => {
  let dir = '';
  let n = 0;
  const file = (name: string, content: string | Buffer): string => {
    const p = path.join(dir, `${n++}-${name}`);
    writeFileSync(p, content);
    return p;
  };
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-cli-inputs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('segment and score print 150,000 steps (no stack overflow)', () => {
    const big = file('big.md', Array.from({ length: 150_000 }, (_, i) => `s${i}`).join('\n'));
    for (const command of ['segment', 'score']) {
      const r = run(command, big);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^149999 +.*s149999/m);
    }
  });

  test('escape sequences in the file are shown, not sent to the terminal; JSON keeps them exact', () => {
    const title = '\x1b]0;pwned\x07';
    const clear = '\x1b[2J\x9b1;1H';
    const md = file('evil.md', `## Problem\nAdd ${clear}up.\n\n## Solution\nStep one ${title}: 2 + 2 = 5\n\nStep two.`);
    for (const command of ['segment', 'score']) {
      const r = run(command, md);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(controls(r.stdout + r.stderr), [], `${command}: ${JSON.stringify(r.stdout)}`);
      assert.match(r.stdout, /Step one \\x1b\]0;pwned\\x07/);
    }
    const json = JSON.parse(run('segment', md, '--json').stdout);
    assert.equal(json.steps[0].text, `Step one ${title}: 2 + 2 = 5`);
    assert.equal(json.problem.text, `Add ${clear}up.`);
  });

  test('a UTF-8 byte-order mark and UTF-16 files: the problem is found, offsets are into the decoded text', () => {
    const text = '## Problem\nWhat is 2 + 2?\n\n## Solution\n2 + 2 = 4';
    const files = [
      file('bom.md', `\ufeff${text}`),
      file('le.md', Buffer.from(`\ufeff${text}`, 'utf16le')),
      file('be.md', Buffer.from(`\ufeff${text}`, 'utf16le').swap16()),
    ];
    for (const md of files) {
      const r = run('segment', md, '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.equal(out.problem.text, 'What is 2 + 2?', md);
      assert.deepEqual(
        out.steps.map((s: { text: string; start: number }) => [s.start, s.text]),
        [[39, '2 + 2 = 4']],
      );
    }
  });

  test('invalid UTF-8 is reported with file and line, and the file is still scored', () => {
    const latin1 = [Buffer.from('Step 1: 2 + 2 = 4\n\nStep 2: caf'), Buffer.from([0xe9]), Buffer.from('.\n3 + 3 = 7')];
    const md = file('latin1.md', Buffer.concat(latin1));
    const r = run('score', md);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, `${md}:line 3: invalid UTF-8 at byte 12 of the line; read with U+FFFD in its place\n`);
    assert.match(r.stdout, /checker: first error at idx 1/);
  });
});
