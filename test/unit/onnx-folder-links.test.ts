import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { validateModelFolder } from '../../src/core/critics/onnx/validate';
import { NativePieceTokenizer } from '../../src/onnx-host/tokenizer';
import { buildModelFolder } from '../support/onnx/fixtures';
import { tempDir } from '../support/onnx/tmp';

// A model folder comes from elsewhere (a download, a colleague): its links must not make PRM Lens read files outside
// it, and messages about a file that is not what it claims must not quote it.

const tmp = tempDir('onnx-links');
after(() => tmp.remove());

const SECRET = 'root:x:0:0:SECRET-FIRST-LINE';
const secret = path.join(tmp.dir, 'passwd');
writeFileSync(secret, `${SECRET}\nsecond line\n`);

const load = async (file: string) => NativePieceTokenizer.fromFile(file);
let n = 0;
const folder = () => buildModelFolder(path.join(tmp.dir, `m${n++}`), { family: 'token-classification' });
const problems = async (dir: string) => (await validateModelFolder(dir, load)).problems;
const OUTSIDE = 'leads out of the model folder (a link or a path outside it), so it is not read';

describe('model folder: links and untrusted files', () => {
  test('a tokenizer.json linked to a file outside the folder is not read', async () => {
    const dir = folder();
    const tokenizer = path.join(dir, 'tokenizer.json');
    renameSync(tokenizer, path.join(tmp.dir, `tokenizer-${n}.json`));
    symlinkSync(secret, tokenizer);
    const found = await problems(dir);
    assert.deepEqual(found, [`${tokenizer}: ${OUTSIDE}`]);
    assert.ok(!found.join('\n').includes('root:x'), found.join('\n'));
  });

  test('a link out of the folder is refused even to a real tokenizer', async () => {
    const dir = folder();
    const tokenizer = path.join(dir, 'tokenizer.json');
    const moved = path.join(tmp.dir, `tokenizer-${n}.json`);
    renameSync(tokenizer, moved);
    symlinkSync(moved, tokenizer);
    assert.deepEqual(await problems(dir), [`${tokenizer}: ${OUTSIDE}`]);
  });

  test('prm.json, the graph and its weights linked out of the folder', async () => {
    const prm = folder();
    renameSync(path.join(prm, 'prm.json'), path.join(tmp.dir, `prm-${n}.json`));
    symlinkSync(path.join(tmp.dir, `prm-${n}.json`), path.join(prm, 'prm.json'));
    assert.deepEqual(await problems(prm), [`${path.join(prm, 'prm.json')}: ${OUTSIDE}`]);

    const graph = folder();
    renameSync(path.join(graph, 'model.onnx'), path.join(tmp.dir, `model-${n}.onnx`));
    symlinkSync(path.join(tmp.dir, `model-${n}.onnx`), path.join(graph, 'model.onnx'));
    const model = path.join(graph, 'model.onnx');
    assert.deepEqual(await problems(graph), [`${model}: ${OUTSIDE} (prm.json "model" names it)`]);

    const weights = folder();
    const data = path.join(weights, 'model.onnx.data');
    renameSync(data, path.join(tmp.dir, `data-${n}`));
    symlinkSync(path.join(tmp.dir, `data-${n}`), data);
    assert.deepEqual(await problems(weights), [`${data}: ${OUTSIDE} (model.onnx keeps its weights there)`]);
  });

  test('links that stay inside the folder, and a folder that is itself a link, are fine', async () => {
    const dir = folder();
    mkdirSync(path.join(dir, 'tok'));
    renameSync(path.join(dir, 'tokenizer.json'), path.join(dir, 'tok', 'tokenizer.json'));
    symlinkSync(path.join('tok', 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    assert.deepEqual(await problems(dir), []);
    const alias = path.join(tmp.dir, `alias-${n}`);
    symlinkSync(dir, alias);
    assert.deepEqual(await problems(alias), []);
  });

  test('a tokenizer.json or prm.json that is not JSON is named, not quoted', async () => {
    const tok = folder();
    writeFileSync(path.join(tok, 'tokenizer.json'), `${SECRET}\n`);
    const found = await problems(tok);
    assert.deepEqual(found, [`${path.join(tok, 'tokenizer.json')}: not a Hugging Face tokenizer.json: not valid JSON`]);

    const prm = folder();
    writeFileSync(path.join(prm, 'prm.json'), `{"family": "token-classification", ${SECRET}}`);
    const prmFound = await problems(prm);
    const where = 'Expected double-quoted property name in JSON at position 35';
    assert.deepEqual(prmFound, [`${path.join(prm, 'prm.json')}: not valid JSON: ${where}`]);
  });

  test('a tokenizer.json that is not a regular file', async () => {
    const dir = folder();
    const tokenizer = path.join(dir, 'tokenizer.json');
    renameSync(tokenizer, path.join(tmp.dir, `t-${n}`));
    mkdirSync(tokenizer);
    assert.deepEqual(await problems(dir), [`${tokenizer}: not a regular file`]);
  });
});
