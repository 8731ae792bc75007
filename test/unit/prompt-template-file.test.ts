import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pyFormat, pyTemplateProblem } from '../../src/core/critics/remote/py-format';
import { createOpenAICritic } from '../../src/core/critics/remote/openai-critic';
import { CriticConfig } from '../../src/core/critics/types';
import { criticIdentity } from '../../src/core/critics/identity';
import { PROBLEM, scriptedServers, STEPS } from '../fixtures/servers/critic';
import { ChatBody, fakeOpenAI } from '../fixtures/servers/openai';

const serve = scriptedServers();

// The benchmark's critique template, in its own str.format syntax (doubled braces around the empty box).
const BENCH_TEMPLATE = `The following is a math problem and a solution (split into paragraphs, enclosed with tags and indexed from 0):

[Math Problem]

{problem}

[Solution]

{tagged_response}

Your task is to review and critique the solution paragraph by paragraph. Once you identify an error in a paragraph, return the index of the paragraph where the earliest error occurs. Otherwise, return the index of -1 (which typically denotes "not found").

Please put your final answer (i.e., the index) in \\boxed{{}}.
`;

function withDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-pyformat-'));
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const config = (origin: string, extra: Partial<CriticConfig>): CriticConfig =>
  ({ id: 'c', type: 'openai-critic', baseURL: `${origin}/v1`, model: 'm', retryDelayMs: 1, ...extra }) as CriticConfig;

describe('promptTemplateFile (Python str.format syntax)', () => {
  test('fields replaced, doubled braces literal, values never re-read as a template', () => {
    const values = { problem: 'p {tagged_response} {{x}}', tagged_response: 'T' };
    assert.equal(
      pyFormat('{problem}|{tagged_response}|\\boxed{{}}|{{a}}}}', values),
      'p {tagged_response} {{x}}|T|\\boxed{}|{a}}',
    );
    assert.equal(pyTemplateProblem(BENCH_TEMPLATE), undefined);
  });

  test('what str.format would reject, or render differently, is refused with the reason', () => {
    assert.match(String(pyTemplateProblem('{problem} {tagged_response} \\boxed{}')), /unknown field \{\}/);
    assert.match(String(pyTemplateProblem('{problem} {tagged_response} }')), /a single "}"/);
    assert.match(String(pyTemplateProblem('{problem} {tagged_response} {')), /never closed/);
    assert.match(String(pyTemplateProblem('{problem!r} {tagged_response}')), /unknown field \{problem!r\}/);
    assert.match(String(pyTemplateProblem('{{problem}} {tagged_response}')), /missing \{problem\}/);
  });

  test("the benchmark's template file is sent verbatim, with ProcessBench's tagged_response", async () => {
    const bodies: ChatBody[] = [];
    const server = await serve(fakeOpenAI({ answer: (b) => (bodies.push(b), '\\boxed{2}') }));
    await withDir(async (dir) => {
      writeFileSync(path.join(dir, 'critique_template.txt'), BENCH_TEMPLATE);
      const critic = await createOpenAICritic(
        config(server.origin, { promptTemplateFile: 'critique_template.txt' }),
        {},
        dir,
      );
      assert.equal((await critic.score({ problem: PROBLEM, steps: STEPS })).firstError, 2);
    });
    const tagged = STEPS.map((s, i) => `<paragraph_${i}>\n${s}\n</paragraph_${i}>`).join('\n\n');
    const expected = BENCH_TEMPLATE.replace('{problem}', PROBLEM)
      .replace('{tagged_response}', tagged)
      .replace('\\boxed{{}}', '\\boxed{}');
    assert.deepEqual(bodies[0].messages, [{ role: 'user', content: expected }]);
  });

  test('the file content is part of the cache identity; with promptTemplate as well it is refused', async () => {
    const server = await serve(fakeOpenAI({ answer: () => '\\boxed{2}' }));
    await withDir(async (dir) => {
      const file = path.join(dir, 't.txt');
      writeFileSync(file, '{problem}\n{tagged_response}');
      const a = (await createOpenAICritic(config(server.origin, { promptTemplateFile: file }), {})).cacheIdentity();
      // The one identity of the configuration, as the views compute it from the file.
      assert.equal(a, criticIdentity(config(server.origin, { promptTemplateFile: file })));
      writeFileSync(file, '{problem}\n\n{tagged_response}');
      const b = (await createOpenAICritic(config(server.origin, { promptTemplateFile: file }), {})).cacheIdentity();
      assert.notEqual(a, b);
      await assert.rejects(
        createOpenAICritic(config(server.origin, { promptTemplateFile: file, promptTemplate: file }), {}),
        /set promptTemplate or promptTemplateFile, not both/,
      );
      writeFileSync(file, '{question}\n{tagged_response}');
      await assert.rejects(
        createOpenAICritic(config(server.origin, { promptTemplateFile: file }), {}),
        /promptTemplateFile .*t\.txt: unknown field \{question\}/,
      );
    });
  });
});

describe('sampling settings', () => {
  test('topK is sent as top_k and seed as seed, only when set', async () => {
    const server = await serve(fakeOpenAI({ answer: () => '\\boxed{2}' }));
    const qwenMath = { votes: 8, temperature: 0.7, topP: 0.8, topK: 20, seed: 7 };
    await (await createOpenAICritic(config(server.origin, qwenMath), {})).score({ problem: PROBLEM, steps: STEPS });
    await (await createOpenAICritic(config(server.origin, {}), {})).score({ problem: PROBLEM, steps: STEPS });
    const [set, unset] = server.requests.map((r) => r.body as Record<string, unknown>);
    assert.deepEqual([set.temperature, set.top_p, set.top_k, set.seed, set.n], [0.7, 0.8, 20, 7, 8]);
    assert.ok(!('top_k' in unset) && !('seed' in unset) && !('top_p' in unset), JSON.stringify(unset));
  });
});
