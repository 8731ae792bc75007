import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deltaBenchRecord, parseDeltaBench } from '../../src/core/trace/deltabench';

// DeltaBench's strategy-shift and reflection annotations mapped onto its sections, on a synthetic record in the
// release's layout (field names as released, `stragegy_shift_section_numbers` spelled as there).

const SECTIONS = [
  'section1:',
  'We need the area of the ring between radii 3 and 5.',
  '',
  'The area is pi (5 - 3)^2 = 4 pi.',
  'section2:',
  'Let me double-check: the ring is the big disc minus the small one.',
  'section3:',
  'Alternatively, compute both discs: 25 pi - 9 pi = 16 pi.',
  'section4:',
  'So the area is 16 pi.',
].join('\n');

const RECORD = {
  id: 'synthetic-1',
  question: 'What is the area of the ring between circles of radius 3 and 5?',
  sections_content: SECTIONS,
  reason_error_section_numbers: [1],
  reason_unuseful_section_numbers: [],
  stragegy_shift_section_numbers: [3],
  reflection_section_numbers: [2, 3],
};

function record(overrides: Record<string, unknown>) {
  const r = deltaBenchRecord({ ...RECORD, ...overrides }, 1);
  if ('field' in r) throw new Error(`${r.field}: ${r.message}`);
  return r;
}

describe('DeltaBench annotations on the sections', () => {
  test('a strategy shift is a "strategy-shift" section, a reflection a "verification"; both: the shift', () => {
    const { trace } = record({});
    assert.deepEqual(
      trace.sections.map((s) => s.kind),
      ['attempt', 'verification', 'strategy-shift', 'attempt'],
    );
    assert.deepEqual(trace.sections[2].labels, {
      error: false,
      unuseful: false,
      strategyShift: true,
      reflection: true,
    });
    assert.deepEqual(trace.sections[0].labels, {
      error: true,
      unuseful: false,
      strategyShift: false,
      reflection: false,
    });
  });

  test('without the annotations every section is an attempt (kinds are never guessed for dataset sections)', () => {
    const { trace } = record({ stragegy_shift_section_numbers: undefined, reflection_section_numbers: undefined });
    assert.ok(trace.sections.every((s) => s.kind === 'attempt'));
    assert.ok(trace.sections.every((s) => s.labels?.strategyShift === false && s.labels.reflection === false));
  });

  test('the corrected spelling and lists stored as strings are read too', () => {
    const { trace } = record({
      stragegy_shift_section_numbers: undefined,
      strategy_shift_section_numbers: '[4]',
      reflection_section_numbers: '[]',
      reason_error_section_numbers: '[1, 2]',
    });
    assert.deepEqual(
      trace.sections.map((s) => s.kind),
      ['attempt', 'attempt', 'attempt', 'strategy-shift'],
    );
    assert.deepEqual(record({ reason_error_section_numbers: '[1, 2]' }).goldSections, [1, 2]);
  });

  test('a bad annotation names its field and is reported with its line', () => {
    const lines = [
      JSON.stringify({ ...RECORD, reflection_section_numbers: [9] }),
      JSON.stringify({ ...RECORD, stragegy_shift_section_numbers: 'three' }),
      JSON.stringify(RECORD),
    ].join('\n');
    const { records, issues } = parseDeltaBench(lines, 'd.jsonl');
    assert.equal(records.length, 1);
    assert.deepEqual(
      issues.map((i) => [i.line, i.field, i.message]),
      [
        [1, 'reflection_section_numbers', '9 is not a section number from 1 to 4'],
        [2, 'stragegy_shift_section_numbers', '"three" is not a list of section numbers'],
      ],
    );
  });
});
