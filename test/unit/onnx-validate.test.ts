import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { readOnnxFile } from '../../src/core/critics/onnx/onnxFile';
import { PRM_FAMILIES, parsePrmSpec } from '../../src/core/critics/onnx/spec';
import { validateModelFolder } from '../../src/core/critics/onnx/validate';
import { OnnxRunner, defaultHostScript } from '../../src/core/critics/onnx/runner';
import { signatureOf } from '../../src/onnx-host/engine';
import { NativePieceTokenizer } from '../../src/onnx-host/tokenizer';
import { buildModelFolder, testPrmJson } from '../support/onnx/fixtures';
import { OnnxGraph } from '../../src/core/onnx-format/graph';
import { buildByteLevelTokenizer, MATH_CORPUS } from '../support/onnx/tokenizer';
import { tempDir } from '../support/onnx/tmp';

// Model folder validation ("Add Local Model…"): every problem is found and named precisely.

const tmp = tempDir('onnx-validate');
after(() => tmp.remove());

const load = async (file: string) => NativePieceTokenizer.fromFile(file);
let n = 0;
const folder = (options: Parameters<typeof buildModelFolder>[1]) =>
  buildModelFolder(path.join(tmp.dir, `m${n++}`), options);
const problems = async (dir: string) => (await validateModelFolder(dir, load)).problems;
const editPrm = (dir: string, edit: (prm: Record<string, unknown>) => Record<string, unknown>) =>
  writeFileSync(
    path.join(dir, 'prm.json'),
    JSON.stringify(edit(JSON.parse(readFileSync(path.join(dir, 'prm.json'), 'utf8')))),
  );

describe('model folder validation', () => {
  for (const family of PRM_FAMILIES) {
    test(`a complete ${family} folder has no problems`, async () => {
      const dir = folder({ family, llama: family === 'tag-token' });
      const report = await validateModelFolder(dir, load);
      assert.deepEqual(report.problems, []);
      assert.equal(report.spec?.family, family);
    });
  }

  test('missing files: prm.json, the graph, its external weights, the tokenizer', async () => {
    const dir = folder({ family: 'token-classification' });
    rmSync(path.join(dir, 'prm.json'));
    assert.match(
      (await problems(dir))[0],
      /prm\.json: missing — a model folder needs a prm\.json describing its family/,
    );

    const noModel = folder({ family: 'token-classification' });
    rmSync(path.join(noModel, 'model.onnx'));
    assert.deepEqual(await problems(noModel), [
      `${path.join(noModel, 'model.onnx')}: missing (prm.json "model" names it)`,
    ]);

    const noData = folder({ family: 'token-classification' });
    rmSync(path.join(noData, 'model.onnx.data'));
    assert.deepEqual(await problems(noData), [
      `${path.join(noData, 'model.onnx.data')}: missing (model.onnx keeps its weights there)`,
    ]);

    const shortData = folder({ family: 'token-classification' });
    truncateSync(path.join(shortData, 'model.onnx.data'), 1000);
    assert.match(
      (await problems(shortData))[0],
      /model\.onnx\.data: 1000 bytes, but model\.onnx reads up to byte \d+ \(incomplete download\?\)/,
    );

    const noTokenizer = folder({ family: 'tag-token' });
    rmSync(path.join(noTokenizer, 'tokenizer.json'));
    assert.match((await problems(noTokenizer))[0], /tokenizer\.json: missing \(prm\.json "tokenizer" names it/);

    const noReference = folder({ family: 'implicit' });
    rmSync(path.join(noReference, 'reference'), { recursive: true });
    assert.deepEqual(await problems(noReference), [
      `${path.join(noReference, 'reference', 'model.onnx')}: missing (prm.json "referenceModel" names it)`,
    ]);

    assert.deepEqual(await problems(path.join(tmp.dir, 'nowhere')), [`${path.join(tmp.dir, 'nowhere')}: not a folder`]);
  });

  test('a graph whose signature does not match the family', async () => {
    // A causal LM (vocabulary-sized logits) declared as token classification.
    const lm = folder({ family: 'token-classification', model: { head: 'lm' } });
    assert.match(
      (await problems(lm))[0],
      /output "logits" has shape \[batch, sequence, 512\]; a token-classification PRM needs \[batch, sequence, labels\] logits of a token-classification head \(512 values per token look like a causal LM's vocabulary: use the tag-token family\)/,
    );

    // A classification head declared as a causal LM: the +/− token ids are beyond its 2 logits.
    const cls = folder({ family: 'tag-token', model: { head: 'token-classification' } });
    assert.match(
      (await problems(cls))[0],
      /output "logits" has shape \[batch, sequence, 2\]; a tag-token PRM needs \[batch, sequence, vocabulary\] logits of a causal LM \(token id \d+ is beyond its 2 logits\)/,
    );

    // A value head whose output has another name.
    const value = folder({ family: 'value-head', model: { outputName: 'rewards' } });
    assert.match(
      (await problems(value))[0],
      /the graph has no output "value" \(outputs: rewards\); set "output" in prm\.json/,
    );

    // Inputs PRM Lens cannot feed, and no input_ids.
    const dir = folder({ family: 'token-classification' });
    const g = new OnnxGraph('odd');
    g.input('tokens', 'int64', ['batch', 'sequence']);
    g.input('pixel_values', 'float', ['batch', 3]);
    g.node('Cast', ['tokens'], { to: 1 }, { outputs: ['logits'] });
    g.output('logits', 'float', ['batch', 'sequence']);
    g.save(path.join(dir, 'model.onnx'));
    const found = await problems(dir);
    assert.match(found[0], /the graph has no input "input_ids" \(inputs: tokens, pixel_values\)/);
    assert.ok(found.some((p) => /needs input "tokens", which PRM Lens cannot feed/.test(p)));
    assert.ok(
      found.some((p) => /output "logits" has shape \[batch, sequence\]; a token-classification PRM needs/.test(p)),
    );
  });

  test('a tokenizer without the step tag or the +/− tokens', async () => {
    const dir = folder({ family: 'token-classification' });
    const plain = buildByteLevelTokenizer({ corpus: MATH_CORPUS, merges: 50 });
    writeFileSync(path.join(dir, 'tokenizer.json'), plain.json);
    assert.match(
      (await problems(dir))[0],
      /prm\.json: "stepTag": the tokenizer has no token "<extra_0>"; it encodes to 9 tokens \("<" "e" "x" .*\)\. Give the token id or the exact vocabulary entry instead\./,
    );

    const ids = folder({ family: 'tag-token' });
    editPrm(ids, (p) => ({ ...p, negativeToken: 99999 }));
    assert.match(
      (await problems(ids))[0],
      /"negativeToken": token id 99999 is not in the tokenizer \(vocabulary size \d+\)/,
    );

    const broken = folder({ family: 'tag-token' });
    writeFileSync(path.join(broken, 'tokenizer.json'), '{"version": "1.0", "model": {"type": "Nope"}}');
    assert.match((await problems(broken))[0], /tokenizer\.json: not a Hugging Face tokenizer\.json: /);
  });

  test('prm.json mistakes name the field', async () => {
    const dir = folder({ family: 'tag-token' });
    editPrm(dir, (p) => ({ ...p, positiveTokn: '+' }));
    assert.match(
      (await problems(dir))[0],
      /prm\.json: "positiveTokn" is not a field of a tag-token prm\.json \(known: .*positiveToken.*\)/,
    );
    writeFileSync(path.join(dir, 'prm.json'), '{"family": "tag-token",}');
    assert.match((await problems(dir))[0], /prm\.json: not valid JSON/);
    const f = (raw: unknown) => () => parsePrmSpec(raw, 'prm.json');
    assert.throws(
      f({ family: 'reward' }),
      /"family" must be one of token-classification, tag-token, chat-tag-token, value-head, implicit; got "reward"/,
    );
    assert.throws(
      f({ family: 'tag-token', stepTag: ' ки', positiveToken: '+' }),
      /"negativeToken" is required for the tag-token family/,
    );
    assert.throws(
      f({ ...testPrmJson('token-classification'), template: 'no placeholder' }),
      /"template" must contain \{problem\}/,
    );
    assert.throws(
      f({ ...testPrmJson('token-classification'), model: '../elsewhere/model.onnx' }),
      /"model" must be a path inside the model folder/,
    );
    assert.throws(
      f({ family: 'implicit', referenceModel: 'ref.onnx' }),
      /"beta" is required for the implicit family \(EurusPRM uses 0\.001\)/,
    );
    assert.throws(
      f({
        family: 'chat-tag-token',
        positiveToken: '+',
        negativeToken: '-',
        chat: { user: '{content}', assistant: 'no content' },
      }),
      /"chat\.assistant" must be a string containing \{content\}/,
    );
    assert.throws(f({ ...testPrmJson('tag-token'), maxTokens: 8.5 }), /"maxTokens" must be an integer ≥ 16/);
    const chat = { user: '{content}', assistant: '{content}' };
    assert.throws(
      f({ family: 'chat-tag-token', positiveToken: '+', negativeToken: '-', chat: { ...chat, firstUser: '{step}' } }),
      /"chat\.firstUser" must be a string containing \{problem\} and \{step\}/,
    );
    // Without firstUser the first turn is the problem, a blank line and step 0 (the conventions' layout).
    assert.equal(
      parsePrmSpec({ family: 'chat-tag-token', positiveToken: '+', negativeToken: '-', chat }, 'prm.json').chat
        ?.firstUser,
      '{problem}\n\n{step}',
    );
  });

  test('every preset in models/ is a valid prm.json for its family', () => {
    const dir = path.resolve(__dirname, '..', '..', '..', 'models');
    const presets = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
    const families = presets
      .map(
        (d) =>
          parsePrmSpec(JSON.parse(readFileSync(path.join(dir, d.name, 'prm.json'), 'utf8')), `${d.name}/prm.json`)
            .family,
      )
      .sort();
    assert.deepEqual(families, [...PRM_FAMILIES].sort(), 'one preset per family');
    const skywork = JSON.parse(readFileSync(path.join(dir, 'skywork-o1-open-prm-qwen-2.5-7b', 'prm.json'), 'utf8'));
    assert.equal(parsePrmSpec(skywork, 'prm.json').segmentation, 'newline-split', 'Skywork names its segmentation');
  });

  test('"segmentation" names a strategy, or is absent', () => {
    const base = testPrmJson('value-head');
    assert.equal(parsePrmSpec(base, 'prm.json').segmentation, undefined);
    assert.equal(parsePrmSpec({ ...base, segmentation: 'lines' }, 'prm.json').segmentation, 'lines');
    assert.throws(
      () => parsePrmSpec({ ...base, segmentation: 'newline' }, 'prm.json'),
      /"segmentation" must be one of .*"newline-split"; got "newline"/,
    );
  });

  test('a file that is not ONNX is reported, not loaded', async () => {
    const dir = folder({ family: 'token-classification' });
    writeFileSync(path.join(dir, 'model.onnx'), 'this is a README, not a model\n');
    assert.match((await problems(dir))[0], /model\.onnx: not a readable ONNX model/);
  });

  test('the structure reader sees the same inputs and outputs as onnxruntime', async () => {
    for (const family of ['tag-token', 'value-head'] as const) {
      const dir = folder({ family, model: { past: true } });
      const file = path.join(dir, 'model.onnx');
      const session = await ort.InferenceSession.create(file);
      const runtime = signatureOf(session);
      const read = readOnnxFile(file);
      assert.deepEqual({ inputs: read.inputs, outputs: read.outputs }, runtime);
      assert.deepEqual(
        read.external.map((e) => e.location),
        ['model.onnx.data'],
      );
      await session.release();
    }
  });

  test('the host process validates a folder without loading the model', async () => {
    const dir = folder({ family: 'token-classification' });
    rmSync(path.join(dir, 'model.onnx.data'));
    const runner = new OnnxRunner({ folder: dir, hostScript: defaultHostScript(), threads: () => 1, idleMs: () => 0 });
    try {
      const report = await runner.validate();
      assert.deepEqual(report.problems, [
        `${path.join(dir, 'model.onnx.data')}: missing (model.onnx keeps its weights there)`,
      ]);
      assert.equal(report.spec?.family, 'token-classification');
      assert.equal(runner.model, undefined, 'validation does not load the model');
      // Loading fails with the same message.
      await assert.rejects(runner.load(), /model\.onnx\.data: missing \(model\.onnx keeps its weights there\)/);
    } finally {
      runner.dispose();
    }
  });
});
