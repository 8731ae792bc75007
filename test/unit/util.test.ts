import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorMessage } from '../../src/core/util/errors';
import { clip } from '../../src/core/util/text';

describe('errorMessage', () => {
  test("an Error's message; anything else as a string", () => {
    assert.equal(errorMessage(new TypeError('bad input')), 'bad input');
    assert.equal(errorMessage('plain text'), 'plain text');
    assert.equal(errorMessage(42), '42');
    assert.equal(errorMessage(undefined), 'undefined');
  });
});

describe('clip', () => {
  test('puts text on one line and keeps it whole when it fits', () => {
    assert.equal(clip('  two\n\nlines\tand  tabs ', 40), 'two lines and tabs');
    assert.equal(clip('exactly ten', 11), 'exactly ten');
  });

  test('shortens longer text to exactly max characters, ending in an ellipsis', () => {
    const out = clip('abcdefghijklmnopqrstuvwxyz', 10);
    assert.equal(out, 'abcdefghi…');
    assert.equal(out.length, 10);
    assert.equal(clip('abc', 0), '');
  });
});
