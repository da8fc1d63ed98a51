import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCAL_VERBS } from '../../src/cli/local-verbs.ts';
import { CATALOG } from '../../src/commands/catalog.ts';

const ROOT = join(import.meta.dirname, '../..');

/** Every verb a user can type, with the flags it takes (`--json` and `--help` go with every verb). */
const VERBS = [
  ...CATALOG.map((d) => ({ path: d.path.join(' '), flags: new Set(Object.keys(d.syntax.flags)) })),
  // Local verbs (gt up, gt rig run…) declare their flags in their usage line.
  ...LOCAL_VERBS.map((v) => ({
    path: ['gt', ...v.words].join(' '),
    flags: new Set([...v.usage.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1] as string)),
  })),
];
const EVERY_VERB = new Set(['json', 'help']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** The code of a file without its comments (they may quote upstream Gas Town's flags). */
const codeOf = (text: string) =>
  text
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .split('\n')
    .filter((l) => !/^\s*\/\//.test(l))
    .join('\n')
    .replace(/\\\n\s*/g, ' ');

/** Which verbs a command's words can name: `a|b` alternatives expand; a placeholder matches any word. */
function verbsNamed(words: string[]): typeof VERBS {
  const fixed = words.filter((w) => !w.startsWith('-'));
  return VERBS.filter((v) => {
    const path = v.path.split(' ');
    return path.every((p, i) => {
      const w = fixed[i];
      if (w === undefined) return false;
      return /^[<[X…]/.test(w) ? i > 1 : w.split('|').includes(p);
    });
  }).filter((v, _i, all) => !all.some((o) => o.path.startsWith(`${v.path} `) && verbNamesExactly(o, fixed)));
}

const verbNamesExactly = (v: { path: string }, fixed: string[]) =>
  v.path.split(' ').every((p, i) => fixed[i]?.split('|').includes(p));

/**
 * Each `gt …` / `bd …` command quoted in a message (a refusal's hint, a card's footer, a usage
 * line): the flags it names, and the verbs they are suggested for.
 */
function quotedCommands(): Array<{
  where: string;
  command: string;
  flags: string[];
  verbs: typeof VERBS;
  /** The verb word is a placeholder (a usage line built per verb): one of the verbs is meant. */
  anyOf: boolean;
}> {
  const found = [];
  for (const file of sourceFiles(join(ROOT, 'src'))) {
    const code = codeOf(readFileSync(file, 'utf8'));
    // A command runs to the end of its string; several in one string (`a · b`, `a; b`, `a, or b`)
    // are checked one by one, and text that does not start with gt/bd (`or --gate none`) is skipped.
    for (const m of code.replace(/\$\{[^}]*\}/g, 'X').matchAll(/\b(?:gt|bd) [a-z<X][^`'"\n]*/g)) {
      for (const segment of m[0].split(/ · |; |, or | or |, then |[()]/)) {
        const command = segment.trim();
        if (!/^(gt|bd) /.test(command)) continue;
        const words = command.split(/\s+/);
        const flags = [...command.matchAll(/(?:^|[\s[|])--([a-z][a-z0-9-]*)/g)].map((f) => f[1] as string);
        if (flags.length === 0) continue;
        const anyOf = words.slice(2).some((w) => /^[<X…]/.test(w));
        found.push({ where: relative(ROOT, file), command, flags, verbs: verbsNamed(words), anyOf });
      }
    }
  }
  return found;
}

describe('every hint names a real flag', () => {
  const commands = quotedCommands();

  it('finds the quoted commands (the scan works)', () => {
    expect(commands.length).toBeGreaterThan(8);
    expect(commands.some((c) => c.command.startsWith('bd list --all'))).toBe(true);
  });

  it('each quoted command names a verb, and each flag it names is one of that verb’s', () => {
    const wrong: string[] = [];
    for (const c of commands) {
      if (c.verbs.length === 0) wrong.push(`${c.where}: \`${c.command}\` names no verb`);
      for (const f of c.flags) {
        if (EVERY_VERB.has(f)) continue;
        const lacking = c.verbs.filter((v) => !v.flags.has(f));
        if (c.anyOf ? lacking.length === c.verbs.length : lacking.length > 0)
          wrong.push(`${c.where}: \`${c.command}\`: no --${f} on ${lacking.map((v) => v.path).join(', ')}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the reply_too_large hint names only flags bd list has', () => {
    const text = readFileSync(join(ROOT, 'src/bus/api-server.ts'), 'utf8');
    const hint = /'reply_too_large',\s*`([^`]*)`/.exec(text)?.[1] ?? '';
    const named = [...hint.matchAll(/--([a-z][a-z0-9-]*)/g)].map((m) => m[1] as string);
    const bdList = VERBS.find((v) => v.path === 'bd list');
    expect(named).toContain('limit');
    expect(named.filter((f) => f !== 'help' && !bdList?.flags.has(f))).toEqual([]);
  });
});
