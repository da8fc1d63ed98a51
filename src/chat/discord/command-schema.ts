import { CATALOG } from '../../commands/catalog.ts';
import { type CommandDef, verbName } from '../../commands/command.ts';
import type { Args, FlagSpec, PositionalSpec } from '../../commands/syntax.ts';
import { splitWords } from '../words.ts';

/** Discord application command option types (API v10). */
export const OPTION = { SUB_COMMAND: 1, SUB_COMMAND_GROUP: 2, STRING: 3, BOOLEAN: 5 } as const;

export interface DiscordOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  autocomplete?: boolean;
  options?: DiscordOption[];
}

export interface DiscordCommand {
  name: 'gt' | 'bd';
  description: string;
  type: 1;
  options: DiscordOption[];
}

/** What an option's value names, for autocomplete (beads include convoys and escalations). */
export type Completion = 'bead' | 'rig' | 'agent';
/**
 * Positionals that are free text the verb joins back with spaces (a plan's goal): given whole,
 * not split like a list of ids — an apostrophe in "fix the user's login" is not a quote.
 */
const FREE_TEXT: ReadonlySet<string> = new Set(['goal']);

const COMPLETES: Record<string, Completion> = {
  id: 'bead',
  ids: 'bead',
  issue: 'bead',
  'depends-on': 'bead',
  bead: 'bead',
  convoy: 'bead',
  rig: 'rig',
  agent: 'agent',
  to: 'agent',
};
export const completionOf = (option: string): Completion | undefined => COMPLETES[option];

const describe = (s: string): string => (s.length <= 100 ? s : `${s.slice(0, 99)}…`);

function positionalOption(p: PositionalSpec, def: CommandDef): DiscordOption {
  return {
    type: OPTION.STRING,
    name: p.name,
    description: describe(
      p.variadic && !FREE_TEXT.has(p.name)
        ? `${p.name}, separated by spaces`
        : `<${p.name}> of ${verbName(def)}`,
    ),
    ...(p.required ? { required: true } : {}),
    ...(completionOf(p.name) ? { autocomplete: true } : {}),
  };
}

function flagOption(name: string, f: FlagSpec): DiscordOption {
  return {
    type: f.type === 'boolean' ? OPTION.BOOLEAN : OPTION.STRING,
    name,
    description: describe(f.list ? `${f.description} (several: separate with spaces)` : f.description),
    ...(f.type === 'string' && completionOf(name) ? { autocomplete: true } : {}),
  };
}

/** A verb as a subcommand: its positionals then flags, required ones first (Discord's rule). */
function subcommand(def: CommandDef, name: string): DiscordOption {
  const options = [
    ...def.syntax.positionals.map((p) => positionalOption(p, def)),
    ...Object.entries(def.syntax.flags).map(([n, f]) => flagOption(n, f)),
  ].sort((a, b) => Number(Boolean(b.required)) - Number(Boolean(a.required)));
  return {
    type: OPTION.SUB_COMMAND,
    name,
    description: describe(def.summary),
    options: options.slice(0, 25),
  };
}

/**
 * Discord cannot have `plan` both as a subcommand and as a group of subcommands: a verb whose
 * words start other verbs (`gt plan "<goal>"` and `gt plan show|launch|…`) is a subcommand of its
 * own group, named here — `/gt plan ask goal:…` is `gt plan "<goal>"`.
 */
const OWN_SUBCOMMAND: Readonly<Record<string, string>> = { 'gt plan': 'ask' };

const startsOthers = (def: CommandDef, defs: readonly CommandDef[]): boolean =>
  defs.some((d) => d.path.length > def.path.length && def.path.every((w, i) => d.path[i] === w));

/** The words of a verb's Discord subcommand, root first (`gt plan` → `gt plan ask`). */
export function discordPath(def: CommandDef, defs: readonly CommandDef[] = CATALOG): string[] {
  if (!startsOthers(def, defs)) return [...def.path];
  const own = OWN_SUBCOMMAND[verbName(def)];
  if (!own)
    throw new Error(`${verbName(def)} starts other verbs: name its Discord subcommand in OWN_SUBCOMMAND`);
  return [...def.path, own];
}

/** Subcommand words that name another verb (`gt plan ask` → `gt plan`). */
const ALIASES = new Map(
  CATALOG.filter((d) => startsOthers(d, CATALOG)).map((d) => [discordPath(d).join(' '), verbName(d)]),
);

/**
 * `/gt` and `/bd` for Discord, built from the command catalog so they can never drift from the
 * CLI: `gt convoy create` is the subcommand `create` of the group `convoy`, each positional and
 * flag an option of the same name.
 */
export function discordCommands(defs: readonly CommandDef[] = CATALOG): DiscordCommand[] {
  return (['gt', 'bd'] as const).map((root) => {
    const top: DiscordOption[] = [];
    for (const def of defs.filter((d) => d.path[0] === root)) {
      const path = discordPath(def, defs);
      if (path.length > 3) throw new Error(`${path.join(' ')}: Discord nests subcommands 2 deep at most`);
      const [first, second] = path.slice(1) as [string, string | undefined];
      if (second === undefined) {
        top.push(subcommand(def, first));
        continue;
      }
      let group = top.find((o) => o.name === first && o.type === OPTION.SUB_COMMAND_GROUP);
      if (!group) {
        group = {
          type: OPTION.SUB_COMMAND_GROUP,
          name: first,
          description: `${root} ${first} …`,
          options: [],
        };
        top.push(group);
      }
      if (group.options?.some((o) => o.name === second))
        throw new Error(`two Discord subcommands ${root} ${first} ${second}`);
      group.options?.push(subcommand(def, second));
    }
    return {
      name: root,
      type: 1,
      description:
        root === 'gt'
          ? 'Gas Town: convoys, polecats, mail, escalations'
          : 'Beads: work items and dependencies',
      options: top,
    };
  });
}

/** An option as Discord sends it with an interaction. */
export interface InteractionOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: InteractionOption[];
}

/** The verb words and leaf options of an application command interaction. */
export function invokedVerb(
  root: string,
  options: readonly InteractionOption[] = [],
): { verb: string; leaf: InteractionOption[] } {
  const words = [root];
  let level = options;
  for (;;) {
    const sub = level.find((o) => o.type === OPTION.SUB_COMMAND || o.type === OPTION.SUB_COMMAND_GROUP);
    if (!sub) {
      const said = words.join(' ');
      return { verb: ALIASES.get(said) ?? said, leaf: [...level] };
    }
    words.push(sub.name);
    level = sub.options ?? [];
  }
}

/** Leaf options → the verb's arguments: lists split on spaces (and commas, as on the CLI). */
export function argsFromOptions(def: CommandDef, leaf: readonly InteractionOption[]): Args {
  const args: Args = {};
  for (const o of leaf) {
    if (o.value === undefined) continue;
    const positional = def.syntax.positionals.find((p) => p.name === o.name);
    const flag = Object.hasOwn(def.syntax.flags, o.name) ? def.syntax.flags[o.name] : undefined;
    if (flag?.type === 'boolean') args[o.name] = o.value === true;
    else if (positional?.variadic && FREE_TEXT.has(o.name)) args[o.name] = [String(o.value)];
    else if (positional?.variadic) args[o.name] = splitWords(String(o.value));
    else if (flag?.list)
      args[o.name] = splitWords(String(o.value))
        .flatMap((w) => w.split(','))
        .filter(Boolean);
    else args[o.name] = String(o.value);
  }
  return args;
}
