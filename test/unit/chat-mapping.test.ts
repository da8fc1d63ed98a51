import { describe, expect, it } from 'vitest';
import {
  argsFromOptions,
  type DiscordOption,
  discordCommands,
  discordPath,
  type InteractionOption,
  invokedVerb,
  OPTION,
} from '../../src/chat/discord/command-schema.ts';
import { splitWords } from '../../src/chat/words.ts';
import { CATALOG, resolveVerb } from '../../src/commands/catalog.ts';
import { verbName } from '../../src/commands/command.ts';
import { parseWords } from '../../src/commands/syntax.ts';

/** Every verb of the command layer is reachable, with the same arguments, from Slack and Discord. */
describe('chat ↔ CLI mapping', () => {
  const commands = discordCommands();

  const subcommandOf = (path: readonly string[]): DiscordOption | undefined => {
    let level = commands.find((c) => c.name === path[0])?.options ?? [];
    let found: DiscordOption | undefined;
    for (const word of path.slice(1)) {
      found = level.find((o) => o.name === word);
      level = found?.options ?? [];
    }
    return found?.type === OPTION.SUB_COMMAND ? found : undefined;
  };

  /** The interaction options Discord sends for the subcommand at `path` (no values). */
  const optionsAt = (path: readonly string[]): InteractionOption[] => {
    let leaf: InteractionOption[] = [];
    for (let i = path.length - 1; i >= 1; i--)
      leaf = [{ name: path[i] as string, type: i === path.length - 1 ? 1 : 2, options: leaf }];
    return leaf;
  };

  it.each(CATALOG.map((d) => [verbName(d), d] as const))('%s', (_name, def) => {
    // Slack: the words after /gt or /bd resolve to this verb.
    const [root, ...words] = def.path;
    expect(resolveVerb(root as string, words)?.def).toBe(def);
    // Discord: a subcommand at the same path (a verb that starts others: in its own group, as
    // `gt plan` is `/gt plan ask`), 3 words at most, with one option per positional and flag.
    const path = discordPath(def);
    expect(path.length).toBeLessThanOrEqual(3);
    expect(invokedVerb(path[0] as string, optionsAt(path)).verb).toBe(verbName(def));
    const sub = subcommandOf(path);
    expect(sub, `no Discord subcommand for ${verbName(def)}`).toBeDefined();
    const names = (sub?.options ?? []).map((o) => o.name).sort();
    expect(names).toEqual(
      [...def.syntax.positionals.map((p) => p.name), ...Object.keys(def.syntax.flags)].sort(),
    );
    // Discord requires required options first and at most 25.
    const required = (sub?.options ?? []).map((o) => Boolean(o.required));
    expect(required).toEqual([...required].sort((a, b) => Number(b) - Number(a)));
    expect(sub?.options?.length ?? 0).toBeLessThanOrEqual(25);
  });

  it('turns options into the same arguments as the words', () => {
    const def = resolveVerb('gt', ['convoy', 'create'])?.def;
    if (!def) throw new Error('missing gt convoy create');
    const fromWords = parseWords(splitWords('"Ship it" al-a al-b --notify alice'), def.syntax, def.usage);
    const data = {
      name: 'gt',
      options: [
        {
          name: 'convoy',
          type: 2,
          options: [
            {
              name: 'create',
              type: 1,
              options: [
                { name: 'words', type: 3, value: '"Ship it" al-a al-b' },
                { name: 'notify', type: 3, value: 'alice' },
              ],
            },
          ],
        },
      ],
    };
    const { verb, leaf } = invokedVerb(data.name, data.options as InteractionOption[]);
    expect(verb).toBe('gt convoy create');
    expect(argsFromOptions(def, leaf)).toEqual(fromWords);
  });

  it('asks for a plan with /gt plan ask, the goal given whole (an apostrophe is no quote)', () => {
    const def = resolveVerb('gt', ['plan'])?.def;
    if (!def) throw new Error('missing gt plan');
    expect(discordPath(def)).toEqual(['gt', 'plan', 'ask']);
    expect(subcommandOf(['gt', 'plan'])).toBeUndefined(); // `plan` is a group, not a subcommand
    const group = commands.find((c) => c.name === 'gt')?.options.find((o) => o.name === 'plan');
    expect(group?.options?.map((o) => o.name).sort()).toEqual([
      'ask',
      'discard',
      'launch',
      'revise',
      'show',
      'stop',
    ]);
    const { verb, leaf } = invokedVerb('gt', [
      {
        name: 'plan',
        type: 2,
        options: [
          {
            name: 'ask',
            type: 1,
            options: [
              { name: 'goal', type: 3, value: "fix the user's  login" },
              { name: 'rig', type: 3, value: 'web docs' },
            ],
          },
        ],
      },
    ]);
    expect(verb).toBe('gt plan');
    expect(argsFromOptions(def, leaf)).toEqual({ goal: ["fix the user's  login"], rig: ['web', 'docs'] });
    // On Slack the same goal needs quotes around an apostrophe, as in a shell.
    expect(parseWords(splitWords('"fix the user\'s login" --rig web'), def.syntax, def.usage)).toEqual({
      goal: ["fix the user's login"],
      rig: ['web'],
    });
  });

  it('keeps Discord’s limits: names, descriptions, 25 subcommands', () => {
    const walk = (options: DiscordOption[]) => {
      expect(options.length).toBeLessThanOrEqual(25);
      for (const o of options) {
        expect(o.name).toMatch(/^[-_a-z0-9]{1,32}$/);
        expect(o.description.length).toBeGreaterThan(0);
        expect(o.description.length).toBeLessThanOrEqual(100);
        walk(o.options ?? []);
      }
    };
    for (const c of commands) walk(c.options);
  });

  it('splits slash text like a shell, curly quotes included', () => {
    expect(splitWords('create "two words" -p 1')).toEqual(['create', 'two words', '-p', '1']);
    expect(splitWords('create “curly quotes” x')).toEqual(['create', 'curly quotes', 'x']);
    expect(splitWords("say 'two words' a\\ b")).toEqual(['say', 'two words', 'a b']);
    // Inside a word a single quote is an apostrophe: goals are written in prose.
    expect(splitWords("plan fix the user's login ‘quoted’")).toEqual([
      'plan',
      'fix',
      'the',
      "user's",
      'login',
      'quoted',
    ]);
    expect(() => splitWords('create "open')).toThrow(/not closed/);
  });
});
