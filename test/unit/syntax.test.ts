import { describe, expect, it } from 'vitest';
import { checkArgs, parseWords, type Syntax } from '../../src/commands/syntax.ts';

const syntax: Syntax = {
  positionals: [{ name: 'title', required: true }],
  flags: {
    priority: { type: 'string', short: 'p', description: '' },
    labels: { type: 'string', short: 'l', list: true, description: '' },
    force: { type: 'boolean', short: 'f', description: '' },
  },
};

describe('command words', () => {
  it('parses positionals, long, short, inline and list flags', () => {
    expect(parseWords(['Fix it', '-p', '1', '--labels=a,b', '-l', 'c', '-f'], syntax, 'u')).toEqual({
      title: 'Fix it',
      priority: '1',
      labels: ['a', 'b', 'c'],
      force: true,
    });
    expect(parseWords(['--', '-p'], syntax, 'u')).toEqual({ title: '-p' });
    expect(parseWords(['-1'], syntax, 'u')).toEqual({ title: '-1' });
  });

  it('refuses unknown flags, missing values, missing and extra positionals with the usage', () => {
    expect(() => parseWords(['x', '--nope'], syntax, 'USAGE')).toThrow(/unknown flag --nope\. Usage: USAGE/);
    expect(() => parseWords(['x', '-p'], syntax, 'u')).toThrow(/needs a value/);
    expect(() => parseWords([], syntax, 'u')).toThrow(/missing <title>/);
    expect(() => parseWords(['a', 'b'], syntax, 'u')).toThrow(/unexpected argument "b"/);
    expect(() => parseWords(['a', '--force=yes'], syntax, 'u')).toThrow(/takes no value/);
  });

  it('checks structured arguments: names and types, never objects where strings belong', () => {
    expect(checkArgs({ title: 't', labels: ['a'], force: true }, syntax, 'u')).toEqual({
      title: 't',
      labels: ['a'],
      force: true,
    });
    expect(() => checkArgs({ title: { $gt: '' } }, syntax, 'u')).toThrow(/wrong type/);
    expect(() => checkArgs({ title: 't', $where: 'x' }, syntax, 'u')).toThrow(/unknown argument/);
    expect(() => checkArgs({}, syntax, 'u')).toThrow(/missing <title>/);
    expect(() => checkArgs('nope', syntax, 'u')).toThrow(/JSON object/);
    expect(() => checkArgs({ title: 't', labels: 'a' }, syntax, 'u')).toThrow(/wrong type/);
  });

  it('knows only its own flag names: `constructor` or `__proto__` are not flags (found by fuzzing)', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(() => checkArgs(JSON.parse(`{"title":"t","${name}":"x"}`), syntax, 'u')).toThrow(
        /unknown argument/,
      );
      expect(() => parseWords(['t', `--${name}`, 'x'], syntax, 'u')).toThrow(/unknown flag/);
    }
  });
});
