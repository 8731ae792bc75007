import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  parseTokenizerConfig,
  pythonStrip,
  readTokenizerConfig,
  renderChat,
  renderLocated,
} from '../../src/core/critics/onnx/chatTemplate';
import { readPrmSpec } from '../../src/core/critics/onnx/folder';
import { parsePrmSpec } from '../../src/core/critics/onnx/spec';
import { validateModelFolder } from '../../src/core/critics/onnx/validate';
import { InputBuilder } from '../../src/onnx-host/inputs';
import { NativePieceTokenizer } from '../../src/onnx-host/tokenizer';
import { buildModelFolder, TEST_TOKENIZER_CONFIG, testPrmJson } from '../support/onnx/fixtures';
import { applyChatTemplate, tokenizerConfig } from '../support/onnx/realTokenizers';
import { tempDir } from '../support/onnx/tmp';

// Chat markup from a model folder's tokenizer_config.json, rendered as apply_chat_template renders it, and the
// prm.json fields that say how a model's reference code builds its input.

const tmp = tempDir('onnx-chat-template');
after(() => tmp.remove());

let n = 0;
const folder = (options: Parameters<typeof buildModelFolder>[1]) =>
  buildModelFolder(path.join(tmp.dir, `m${n++}`), options);
const problems = async (dir: string) =>
  (await validateModelFolder(dir, async (file) => NativePieceTokenizer.fromFile(file))).problems;
const writeConfig = (dir: string, config: unknown) =>
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(config));
const builder = async (dir: string) =>
  InputBuilder.create(dir, await readPrmSpec(dir), NativePieceTokenizer.fromFile(path.join(dir, 'tokenizer.json')));

const QWEN3 = tokenizerConfig('qwen3');
const LLAMA31 = tokenizerConfig('llama3_1');

describe('tokenizer_config.json', () => {
  test('special tokens as text or as AddedToken objects; a list of templates gives "default"', () => {
    const config = parseTokenizerConfig(
      {
        bos_token: { __type: 'AddedToken', content: '<s>', lstrip: false },
        eos_token: '</s>',
        pad_token: null,
        chat_template: [
          { name: 'tool_use', template: 'tools' },
          { name: 'default', template: '{{ bos_token }}chat' },
        ],
      },
      'tokenizer_config.json',
    );
    assert.deepEqual(config.specials, { bos_token: '<s>', eos_token: '</s>' });
    assert.equal(renderChat(config, []), '<s>chat');
  });

  test('a template saved as chat_template.jinja next to the config is used', async () => {
    const dir = path.join(tmp.dir, 'jinja');
    mkdirSync(dir, { recursive: true });
    writeConfig(dir, { eos_token: '</s>' });
    writeFileSync(
      path.join(dir, 'chat_template.jinja'),
      '{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}',
    );
    const config = await readTokenizerConfig(dir, 'tokenizer_config.json');
    assert.equal(renderChat(config!, [{ role: 'user', content: 'hi' }]), '[user]hi</s>');
    assert.equal(await readTokenizerConfig(path.join(tmp.dir, 'nowhere'), 'tokenizer_config.json'), undefined);
  });

  test('renders the real Qwen3 and Llama-3.1 templates exactly as the Jinja reference does', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: ' What is 2 + 2? ' },
      { role: 'assistant', content: 'It is 4.' },
    ];
    for (const raw of [QWEN3, LLAMA31]) {
      assert.equal(
        renderChat(parseTokenizerConfig(raw, 'tokenizer_config.json'), messages),
        applyChatTemplate(raw, messages),
      );
    }
  });

  test('finds each message in the rendered text, also when the template trims it (Llama 3\'s "| trim")', () => {
    const config = parseTokenizerConfig(LLAMA31, 'tokenizer_config.json');
    const messages = [
      { role: 'user', content: '  Why?\n' },
      { role: 'assistant', content: '+' },
    ];
    const { text, contents } = renderLocated(config, messages);
    assert.equal(
      text,
      '<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nWhy?<|eot_id|>' +
        '<|start_header_id|>assistant<|end_header_id|>\n\n+<|eot_id|>',
    );
    assert.deepEqual(contents[0], { start: text.indexOf('Why?'), skip: 2, length: 4 });
    assert.deepEqual(contents[1], { start: text.indexOf('+'), skip: 0, length: 1 });
  });

  test('a template that rewrites a message (more than trimming it) is refused', () => {
    const config = parseTokenizerConfig(
      { chat_template: '{% for m in messages %}{{ m.content | upper }}{% endfor %}' },
      'tokenizer_config.json',
    );
    assert.throws(
      () => renderLocated(config, [{ role: 'user', content: 'abc' }]),
      /its chat_template changes the text of message 1 \(user\)/,
    );
    const twice = parseTokenizerConfig(
      { chat_template: '{% for m in messages %}{{ m.content }}{{ m.content }}{% endfor %}' },
      'tokenizer_config.json',
    );
    assert.throws(
      () => renderLocated(twice, [{ role: 'user', content: 'abc' }]),
      /does not write the content of message 1 \(user\) exactly once/,
    );
  });

  test("Python's strip", () => {
    assert.equal(pythonStrip(' \n\t\x1c a b \x85\u3000'), 'a b');
    assert.equal(pythonStrip('\ufeffa'), '\ufeffa');
  });
});

describe('prm.json: how the reference builds its input', () => {
  const f = (raw: unknown) => () => parsePrmSpec(raw, 'prm.json');

  test('defaults: whole strings (per-step for value heads), no special tokens added, per-step rewards', () => {
    const tc = parsePrmSpec(testPrmJson('token-classification'), 'prm.json');
    assert.deepEqual(
      [tc.encoding, tc.addSpecialTokens, tc.chatTemplate, tc.tokenizerConfig],
      ['whole', false, undefined, 'tokenizer_config.json'],
    );
    assert.equal(parsePrmSpec(testPrmJson('value-head'), 'prm.json').encoding, 'per-step');
    assert.equal(parsePrmSpec(testPrmJson('implicit'), 'prm.json').rewardMode, 'step');
  });

  test('mistakes name the field and say what to do', () => {
    const tc = testPrmJson('token-classification');
    assert.throws(f({ ...tc, chatTemplate: 'tokenizer_config' }), /"template" is not used with "chatTemplate"/);
    assert.throws(f({ ...tc, chatTemplate: 'jinja' }), /"chatTemplate" must be one of "tokenizer_config"; got "jinja"/);
    assert.throws(f({ ...tc, system: 'Be brief.' }), /"system" is only used with "chatTemplate"/);
    assert.throws(f({ ...tc, encoding: 'pieces' }), /"encoding" must be one of "whole", "per-step"/);
    assert.throws(f({ ...tc, addSpecialTokens: 'yes' }), /"addSpecialTokens" must be true or false/);
    assert.throws(f({ ...tc, stepTag: 151651 }), /"stepTag" must be the tag's text with "encoding": "whole"/);
    assert.throws(
      f({ ...testPrmJson('chat-tag-token'), encoding: 'per-step' }),
      /"encoding" must be "whole" for the chat-tag-token family/,
    );
    const chat = { family: 'chat-tag-token', chatTemplate: 'tokenizer_config', positiveToken: '+', negativeToken: '-' };
    assert.equal(parsePrmSpec(chat, 'prm.json').chat?.firstUser, '{problem}\n\n{step}');
    assert.throws(f({ ...chat, chat: { user: '{content}' } }), /"chat\.user" is not used with "chatTemplate"/);
    assert.throws(f({ ...chat, positiveToken: 489 }), /"positiveToken" must be text for the chat-tag-token family/);
    assert.throws(
      f({ ...testPrmJson('implicit'), rewardMode: 'cumulative' }),
      /"rewardMode" "cumulative" follows the EurusPRM card.*set "chatTemplate": "tokenizer_config"/,
    );
    assert.throws(
      f({ ...testPrmJson('implicit'), rewardMode: 'sum' }),
      /"rewardMode" must be one of "step", "cumulative"/,
    );
    assert.throws(
      f({ ...testPrmJson('tag-token'), rewardMode: 'step' }),
      /"rewardMode" is not a field of a tag-token prm\.json/,
    );
  });
});

describe('model folders with a chat template', () => {
  const chatPrm = { template: undefined, chatTemplate: 'tokenizer_config' };

  test("the template's default system turn is part of the input unless prm.json gives one", async () => {
    const dir = folder({ family: 'token-classification', prm: chatPrm });
    assert.deepEqual(await problems(dir), []);
    const steps = ['Add.', 'Done.'];
    const text = async () => (await (await builder(dir)).prepare([{ problem: 'Sum?', steps }])).sequences[0].text;
    const body = '<|im_start|>user\nSum?<|im_end|>\n<|im_start|>assistant\nAdd.<extra_0>Done.<extra_0><|im_end|>\n';
    assert.equal(await text(), `<|im_start|>system\nPlease reason step by step.<|im_end|>\n${body}`);
    writeFileSync(
      path.join(dir, 'prm.json'),
      JSON.stringify({ ...testPrmJson('token-classification'), ...chatPrm, system: 'Be exact.' }),
    );
    assert.equal(await text(), `<|im_start|>system\nBe exact.<|im_end|>\n${body}`);
  });

  test('a missing tokenizer_config.json, or one without a template, is reported by the folder check', async () => {
    const dir = folder({ family: 'implicit', prm: { ...chatPrm, rewardMode: 'cumulative' } });
    rmSync(path.join(dir, 'tokenizer_config.json'));
    assert.deepEqual(await problems(dir), [
      `${path.join(dir, 'tokenizer_config.json')}: missing ` +
        '(prm.json sets "chatTemplate": "tokenizer_config"; copy it from the model\'s download)',
    ]);
    writeConfig(dir, { eos_token: '<|im_end|>' });
    assert.match(
      (await problems(dir))[0],
      /tokenizer_config\.json: has no chat_template \(and there is no chat_template\.jinja next to it\)/,
    );
    const bos = folder({ family: 'value-head', prm: { template: '{bos_token}{problem}\n' } });
    writeConfig(bos, { eos_token: '<|im_end|>' });
    assert.match(
      (await problems(bos))[0],
      /prm\.json uses \{bos_token\}, but .*tokenizer_config\.json sets no bos_token/,
    );
  });

  test("RLHFlow's layout with a template that renders the last turn apart (Qwen3's thinking) is refused", async () => {
    const dir = folder({
      family: 'chat-tag-token',
      prm: { template: undefined, chat: undefined, chatTemplate: 'tokenizer_config' },
    });
    assert.deepEqual(
      await problems(dir),
      [],
      'a ChatML template renders every conversation as the start of the longer one',
    );
    writeConfig(dir, { ...TEST_TOKENIZER_CONFIG, chat_template: QWEN3.chat_template });
    assert.match(
      (await problems(dir))[0],
      /renders the conversation that ends at step 1 differently from the start of the whole conversation/,
    );
  });

  test('RLHFlow\'s conversation from the template: a user turn per step, "+" after each', async () => {
    const dir = folder({
      family: 'chat-tag-token',
      prm: { template: undefined, chat: { firstUser: '{problem} {step}' }, chatTemplate: 'tokenizer_config' },
    });
    const { sequences } = await (await builder(dir)).prepare([{ problem: 'Sum?', steps: ['1 + 1 = 2.', 'So 2.'] }]);
    const expected = applyChatTemplate(TEST_TOKENIZER_CONFIG, [
      { role: 'user', content: 'Sum? 1 + 1 = 2.' },
      { role: 'assistant', content: '+' },
      { role: 'user', content: 'So 2.' },
      { role: 'assistant', content: '+' },
    ]);
    assert.equal(sequences[0].text, expected);
  });
});
