import { describe, expect, it } from 'vitest';
import { jsonProblem } from '../src/jsonfields';

const fields = [
  { name: 'name', label: 'Signal name' },
  { name: 'result', label: 'Result (JSON)', json: true },
];

describe('jsonProblem', () => {
  it('names the field whose text is not JSON', () => {
    expect(jsonProblem(fields, { name: '{', result: '{"ok": tru}' })).toMatch(/^Result is not valid JSON: /);
  });

  it('accepts JSON, an empty field and text in a plain field', () => {
    expect(jsonProblem(fields, { name: '{not json', result: '{"ok": true, "n": [1, 2]}' })).toBeNull();
    expect(jsonProblem(fields, { result: '   ' })).toBeNull();
    expect(jsonProblem(fields, {})).toBeNull();
  });
});
