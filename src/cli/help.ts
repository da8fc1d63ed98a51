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
