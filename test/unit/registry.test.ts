import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCritic, parseCriticConfigs, selectCritics, withBuiltins } from '../../src/core/critics/registry';

describe('critic registry', () => {
  test('valid entries pass, each invalid one is named with its position and field', () => {
    const { configs, errors } = parseCriticConfigs(
      [
        { id: 'mine', type: 'checker' },
        { id: 'x y', type: 'checker' },
        { id: 'z', type: 'nope' },
        'text',
        { id: 'mine', type: 'checker' },
      ],
      'critics.json',
    );
    assert.deepEqual(
      configs.map((c) => c.id),
      ['mine'],
    );
    assert.equal(errors.length, 4);
    assert.match(errors[0], /^critics\.json: critics\[1\]\.id must be/);
    assert.match(errors[1], /critics\[2\]\.type is "nope"; known types: checker/);
    assert.match(errors[2], /critics\[3\] must be an object/);
    assert.match(errors[3], /critics\[4\]\.id "mine" is used twice/);
    assert.match(parseCriticConfigs({}, 'f').errors[0], /"critics" must be an array/);
  });

  test('the built-in checker is always available and can be overridden by id', async () => {
    assert.deepEqual(
      withBuiltins([]).map((c) => c.id),
      ['checker'],
    );
    const overridden = withBuiltins([{ id: 'checker', type: 'checker', label: 'mine' }]);
    assert.equal(overridden.length, 1);
    assert.equal(overridden[0].label, 'mine');
    const [config] = selectCritics(withBuiltins([]), ['checker']);
    const critic = await createCritic(config);
    assert.equal(critic.id, 'checker');
    assert.throws(() => selectCritics(withBuiltins([]), ['gpt']), /unknown critic "gpt"; available: checker/);
  });
});
