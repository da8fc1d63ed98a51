import { CATALOG } from '../commands/catalog.ts';
import type { CommandDef } from '../commands/command.ts';
import { verbName } from '../commands/command.ts';

/** `gt help` / `bd help`: every verb of the root with its one-line summary. */
export function rootHelp(
  root: 'gt' | 'bd',
  extra: ReadonlyArray<{ usage: string; summary: string }> = [],
): string {
  const verbs = [...extra, ...CATALOG.filter((d) => d.path[0] === root)];
  const width = Math.max(...verbs.map((v) => v.usage.split(' [')[0]?.length ?? 0));
  const lines = verbs.map((v) => `  ${(v.usage.split(' [')[0] ?? '').padEnd(width)}  ${v.summary}`);
  return [
    `usage: ${root} <command> [--json] [--nats URL]`,
    '',
    ...lines,
    '',
    `${root} <command> --help for its flags`,
  ].join('\n');
}

/** `gt convoy` (a group, no verb): the group's verbs, or null when the words name no group. */
export function groupHelp(root: 'gt' | 'bd', words: readonly string[]): string | null {
  const verbs = CATALOG.filter((d) => d.path[0] === root && words.every((w, i) => d.path[i + 1] === w));
  if (verbs.length === 0) return null;
  return [
    `usage: ${root} ${words.join(' ')} <command>`,
    '',
    ...verbs.map((v) => `  ${v.usage.split(' [')[0]}  —  ${v.summary}`),
  ].join('\n');
}

/** `<verb> --help`: usage line and every flag. */
export function verbHelp(def: Pick<CommandDef, 'usage' | 'summary' | 'syntax' | 'path'>): string {
  const flags = Object.entries(def.syntax.flags).map(
    ([name, spec]) =>
      `  ${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' <value>' : ''}  ${spec.description}`,
  );
  return [
    `usage: ${def.usage}`,
    '',
    def.summary,
    ...(flags.length ? ['', ...flags] : []),
    '',
    '  --json  one JSON document on stdout',
  ].join('\n');
}

export { verbName };
