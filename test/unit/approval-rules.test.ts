import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  boundedInput,
  callDetail,
  callSubject,
  MAX_INPUT_JSON,
  MAX_INPUT_STRING,
} from '../../src/domain/approval-call.ts';
import {
  type ApprovalRule,
  MAX_RULES,
  matchingRule,
  ruleFor,
  ruleMatches,
  withoutRule,
  withRule,
} from '../../src/domain/approval-rules.ts';

const rule = (value: string, match: ApprovalRule['match'] = 'exact', tool = 'Bash'): ApprovalRule => ({
  tool,
  match,
  value,
  by: 'ana',
  at: '2026-12-05T00:00:00.000Z',
});

/** What a call acts on, what a rule of the allow-list covers, and what a person is shown. */
describe('approval rules', () => {
  it('matches an exact rule on the tool and the whole subject only', () => {
    expect(ruleMatches(rule('npm test'), 'Bash', 'npm test')).toBe(true);
    expect(ruleMatches(rule('npm test'), 'Bash', 'npm test ')).toBe(false);
    expect(ruleMatches(rule('npm test'), 'Write', 'npm test')).toBe(false);
  });

  it('never lets a Bash prefix cover a shell operator, substitution, quote or new line after it', () => {
    const npm = rule('npm run ', 'prefix');
    expect(ruleMatches(npm, 'Bash', 'npm run build --prod')).toBe(true);
    for (const sneaky of [
      ';',
      '&',
      '|',
      '>',
      '<',
      '`',
      '$',
      '(',
      '\n',
      '\\',
      "'",
      '"',
      '*',
      '#',
      '~',
      '!',
      '{',
    ])
      expect(ruleMatches(npm, 'Bash', `npm run x${sneaky}y`), JSON.stringify(sneaky)).toBe(false);
    // Whatever follows: a match only when nothing the shell acts on does.
    fc.assert(
      fc.property(fc.string(), (rest) => {
        if (ruleMatches(npm, 'Bash', `npm run ${rest}`))
          expect(rest).toMatch(/^[^;&|<>`$()\\\n\r'"*?{}[\]!#~]*$/);
      }),
    );
  });

  it('never lets a path prefix climb out with ..', () => {
    const src = rule('/work/repo/src/', 'prefix', 'Edit');
    expect(ruleMatches(src, 'Edit', '/work/repo/src/a/b.ts')).toBe(true);
    expect(ruleMatches(src, 'Edit', '/work/repo/src/../.env')).toBe(false);
    expect(ruleMatches(src, 'Edit', '/work/repo/src/a/../../.env')).toBe(false);
  });

  it('answers no truncated call, and makes no rule of one', () => {
    const rules = [rule('cat big')];
    expect(matchingRule(rules, { tool: 'Bash', subject: 'cat big', truncated: false })).toEqual(rules[0]);
    expect(matchingRule(rules, { tool: 'Bash', subject: 'cat big', truncated: true })).toBeNull();
    expect(() =>
      ruleFor({ tool: 'Bash', subject: 'cat big', truncated: true }, undefined, 'ana', new Date()),
    ).toThrow(/allow it once instead/);
  });

  it('makes a prefix rule only of the start of the call it answers', () => {
    const call = { tool: 'Bash', subject: 'npm run lint', truncated: false };
    expect(ruleFor(call, 'npm run ', 'ana', new Date(0))).toMatchObject({
      match: 'prefix',
      value: 'npm run ',
    });
    expect(() => ruleFor(call, 'yarn', 'ana', new Date(0))).toThrow(/does not cover this call/);
    expect(() => ruleFor({ ...call, subject: 'npm run lint; rm x' }, 'npm run ', 'ana', new Date(0))).toThrow(
      /does not cover/,
    );
  });

  it('adds a rule once, and refuses one past the limit', () => {
    expect(withRule([rule('a')], { ...rule('a'), by: 'bob' })).toBeNull();
    const full = Array.from({ length: MAX_RULES }, (_, i) => rule(`echo ${i}`));
    expect(() => withRule(full, rule('one more'))).toThrow(/already has 200 approval rules; use --prefix/);
    expect(withRule(full.slice(1), rule('one more'))).toHaveLength(MAX_RULES);
  });

  it('removes a rule of the same tool, match and value only while it is there and the version holds', () => {
    const rig = { name: 'alpha', version: 4, approval_rules: [rule('a'), rule('b', 'prefix'), rule('c')] };
    expect(withoutRule(rig, { ...rule('b', 'prefix'), by: 'bob', at: '' }, 4)).toEqual([
      rule('a'),
      rule('c'),
    ]);
    expect(withoutRule(rig, rule('a'))).toEqual([rule('b', 'prefix'), rule('c')]);
    expect(() => withoutRule(rig, rule('b'))).toThrow(
      'the allow-list changed meanwhile (Bash: b is no longer there); nothing was removed; see gt approval list --rig alpha',
    );
    expect(() => withoutRule(rig, rule('a', 'exact', 'Edit'))).toThrow(/Edit: a is no longer there/);
    expect(() => withoutRule(rig, rule('a'), 3)).toThrow(
      'the allow-list changed meanwhile (rig alpha is at version 4, not 3); nothing was removed; see gt approval list --rig alpha',
    );
    expect(rig.approval_rules).toHaveLength(3); // the list read is left as it was
  });
});

describe('what a call acts on and changes', () => {
  it('reads the subject of the built-in tools, and canonical JSON for any other', () => {
    expect(callSubject('Bash', { command: 'ls -la', description: 'list' })).toBe('ls -la');
    expect(callSubject('Edit', { file_path: '/r/a.ts', old_string: 'a', new_string: 'b' })).toBe('/r/a.ts');
    expect(callSubject('WebFetch', { url: 'https://x.test', prompt: 'p' })).toBe('https://x.test');
    expect(callSubject('mcp__db__query', { b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
    expect(callSubject('mcp__db__query', { a: { c: 3, d: 2 }, b: 1 })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('shows an edit as a diff and a new file whole', () => {
    expect(callDetail('Edit', { file_path: 'a', old_string: 'x = 1\ny', new_string: 'x = 2' })).toBe(
      '- x = 1\n- y\n+ x = 2',
    );
    expect(callDetail('Write', { file_path: 'a', content: 'hello' })).toBe('hello');
    expect(callDetail('Bash', { command: 'ls', description: 'why' })).toBeNull();
    expect(callDetail('Bash', { command: 'ls', timeout: 5 })).toBe('{\n  "timeout": 5\n}');
  });

  it('cuts what is too long to show, and says so', () => {
    expect(boundedInput({ command: 'ls' })).toEqual({ input: { command: 'ls' }, truncated: false });
    const long = 'x'.repeat(MAX_INPUT_STRING + 10);
    const cut = boundedInput({ file_path: 'a', content: long });
    expect(cut.truncated).toBe(true);
    expect(cut.input.content).toBe(`${'x'.repeat(MAX_INPUT_STRING)}… [10 more characters not shown]`);
    const many = boundedInput({
      edits: Array.from({ length: 100 }, () => ({ s: 'y'.repeat(MAX_INPUT_STRING) })),
    });
    expect(many.truncated).toBe(true);
    expect(JSON.stringify(many.input).length).toBeLessThanOrEqual(MAX_INPUT_JSON);
  });
});
