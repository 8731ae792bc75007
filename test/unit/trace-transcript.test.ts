import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentTraceFile } from '../../src/core/trace/trace';
import { parseTranscript, renderTranscript } from '../../src/core/trace/transcript';

const message = { role: 'assistant', content: 'It is 12.', reasoning_content: '3 × 4 = 12.\n\nWait, yes: 12.' };

describe('chat transcripts with reasoning_content', () => {
  test('a chat completion response (JSON): choices[0].message', () => {
    const json = JSON.stringify({ id: 'x', choices: [{ index: 0, message }] });
    assert.deepEqual(parseTranscript(json), { problem: '', reasoning: message.reasoning_content, answer: 'It is 12.' });
  });

  test('a plain message, and newer vLLM\'s "reasoning" field', () => {
    assert.deepEqual(parseTranscript(JSON.stringify(message)), {
      problem: '',
      reasoning: message.reasoning_content,
      answer: 'It is 12.',
    });
    const vllm = { role: 'assistant', content: 'A', reasoning: 'R' };
    assert.deepEqual(parseTranscript(JSON.stringify(vllm)), { problem: '', reasoning: 'R', answer: 'A' });
  });

  test('a conversation (JSON array, {messages}, JSONL): the last user message is the problem', () => {
    const conversation = [
      { role: 'system', content: 'Be careful.' },
      { role: 'user', content: [{ type: 'text', text: 'What is 3 × 4?\n\nShow work.' }] },
      message,
    ];
    const problem = 'What is 3 × 4?\n\nShow work.';
    const expected = { problem, reasoning: message.reasoning_content, answer: 'It is 12.' };
    assert.deepEqual(parseTranscript(JSON.stringify(conversation)), expected);
    assert.deepEqual(parseTranscript(JSON.stringify({ messages: conversation })), expected);
    const jsonl = conversation.map((m) => JSON.stringify(m)).join('\r\n') + '\n';
    assert.deepEqual(parseTranscript(jsonl), expected);
  });

  test('not a transcript: the reason is given', () => {
    assert.match(String(parseTranscript('{oops')), /neither JSON nor JSONL/);
    assert.match(String(parseTranscript('[{"role": "user", "content": "hi"}]')), /no assistant message/);
    assert.match(String(parseTranscript('{"choices": []}')), /choices\[0\]\.message is missing/);
    assert.match(String(parseTranscript('{"role": "assistant", "content": 3}')), /"content" is neither text/);
    const numeric = '{"role": "assistant", "content": "a", "reasoning_content": 1}';
    assert.match(String(parseTranscript(numeric)), /not a string/);
    assert.match(String(parseTranscript('{"question": "q"}')), /not a chat message/);
  });

  test('rendered, it segments into a thinking part with sections and an answer; the problem stays whole', () => {
    const t = parseTranscript(JSON.stringify([{ role: 'user', content: 'Line one.\n\nLine two.' }, message]));
    assert.ok(typeof t !== 'string');
    const text = renderTranscript(t);
    const { document, trace } = segmentTraceFile(text);
    assert.equal(document.problem, 'Line one.\n\nLine two.');
    assert.deepEqual(
      trace.steps.map((s) => [s.part, s.section, text.slice(s.start, s.end)]),
      [
        ['thinking', 0, '3 × 4 = 12.'],
        ['thinking', 1, 'Wait, yes: 12.'],
        ['answer', null, 'It is 12.'],
      ],
    );
  });

  test('without a reasoning field the transcript is just its answer', () => {
    const t = parseTranscript('{"role": "assistant", "content": "Only this."}');
    assert.ok(typeof t !== 'string');
    assert.equal(t.reasoning, null);
    const { trace } = segmentTraceFile(renderTranscript(t));
    assert.deepEqual(
      trace.parts.map((p) => p.kind),
      ['answer'],
    );
  });
});
