import { describe, expect, it } from 'vitest';
import { addCondition, buildFilter, compare } from '../src/filtertext';

describe('writing FILTER.md text', () => {
  it('quotes strings with JSON escapes', () => {
    expect(compare('subject_name', 'co', 'O"Brien')).toBe('subject_name co "O\\"Brien"');
    expect(compare('error_count', 'gt', 2)).toBe('error_count gt 2');
  });

  it('adds a condition with AND, never replacing, and brackets an OR', () => {
    expect(addCondition('', 'status eq "FAILED"')).toBe('status eq "FAILED"');
    expect(addCondition('tenant eq "a"', 'status eq "FAILED"')).toBe('tenant eq "a" and status eq "FAILED"');
    expect(addCondition('status eq "A" or status eq "B"', 'tenant eq "x"')).toBe('(status eq "A" or status eq "B") and tenant eq "x"');
    expect(addCondition('status eq "FAILED"', 'status eq "FAILED"')).toBe('status eq "FAILED"');
  });

  it('turns the builder chips into one expression with absolute times', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const text = buildFilter(
      { statuses: ['FAILED', 'TIMED_OUT'], workflow: 'billing-sync', tags: [{ key: 'region', value: 'eu' }], range: '24h' },
      now,
    );
    expect(text).toBe(
      '(status eq "FAILED" or status eq "TIMED_OUT") and workflow_key eq "billing-sync" and tags.region eq "eu" and created_at ge "2026-11-30T12:00:00.000Z"',
    );
    expect(buildFilter({ statuses: [], workflow: '', tags: [], range: '' }, now)).toBe('');
  });
});
