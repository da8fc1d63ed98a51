import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/domain/errors.ts';
import { parseRigName, parseRigPrefix } from '../../src/domain/rig.ts';
import {
  parseId,
  parseLabels,
  parsePriority,
  parseStatus,
  parseTitle,
  parseWorkType,
} from '../../src/domain/validation.ts';

const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return `${err.kind}:${err.code}`;
    throw err;
  }
  return 'accepted';
};

describe('input validation', () => {
  it('titles: trimmed, non-empty, at most 500 characters', () => {
    expect(parseTitle('  Fix  ')).toBe('Fix');
    expect(code(() => parseTitle(''))).toBe('usage:invalid_title');
    expect(code(() => parseTitle('   '))).toBe('usage:invalid_title');
    expect(parseTitle('x'.repeat(500))).toHaveLength(500);
    expect(code(() => parseTitle('x'.repeat(501)))).toBe('usage:invalid_title');
  });

  it('priorities 0-4 and P0-P4 only', () => {
    expect(['0', '4', 'P1', 'p3', 2].map(parsePriority)).toEqual([0, 4, 1, 3, 2]);
    for (const bad of ['5', '-1', '1.5', 'x', '', 'P'])
      expect(code(() => parsePriority(bad))).toBe('usage:invalid_priority');
  });

  it('types with aliases; convoys only through gt convoy', () => {
    expect(['task', 'BUG', 'feat', 'enhancement', 'adr'].map(parseWorkType)).toEqual([
      'task',
      'bug',
      'feature',
      'feature',
      'decision',
    ]);
    expect(code(() => parseWorkType('story-ish'))).toBe('usage:invalid_type');
    expect(() => parseWorkType('convoy')).toThrow(/gt convoy create/);
  });

  it('statuses', () => {
    expect(parseStatus('In_Progress')).toBe('in_progress');
    expect(code(() => parseStatus('bogus'))).toBe('usage:invalid_status');
  });

  it('ids refuse query-operator injection and junk', () => {
    expect(parseId('GT-A1B')).toBe('gt-a1b');
    expect(parseId('hq-cv-3k9')).toBe('hq-cv-3k9');
    expect(parseId('gt-a1b.1.2')).toBe('gt-a1b.1.2');
    for (const bad of [
      '{"$gt":""}',
      { $gt: '' },
      '',
      'gt a1b',
      'gt-',
      '-a1b',
      'gt-a1b.1.2.3.4',
      'gt-a1b;drop',
    ]) {
      expect(code(() => parseId(bad))).toBe('usage:invalid_id');
    }
  });

  it('labels are normalised sets; empty or spaced labels are refused', () => {
    expect(parseLabels([' a', 'b', 'a', ''])).toEqual(['a', 'b']);
    expect(code(() => parseLabels(['has space']))).toBe('usage:invalid_label');
  });

  it('rig names are NATS-token safe; prefixes are short and hq is reserved', () => {
    expect(parseRigName('my-rig_2')).toBe('my-rig_2');
    for (const bad of ['My.Rig', 'a b', '>', '', '9lives'])
      expect(code(() => parseRigName(bad))).toBe('usage:invalid_rig_name');
    expect(parseRigPrefix('GT-')).toBe('gt');
    expect(code(() => parseRigPrefix('hq'))).toBe('usage:reserved_prefix');
    expect(code(() => parseRigPrefix('a-b'))).toBe('usage:invalid_prefix');
  });
});
