import { CATALOG } from '../commands/catalog.ts';
import type { FlagSpec } from '../commands/syntax.ts';
import { LOCAL_VERBS } from './local-verbs.ts';

/**
 * docs/cli.md, the command surface, written from the catalog itself (paths, summaries, usage
 * lines, flags and their descriptions) so it cannot drift from what `gt`/`bd` accept:
 * `npm run docs:cli` writes it, test/unit/cli-doc.test.ts fails when it is out of date.
 */
interface Entry {
  path: string;
  summary: string;
  usage: string;
  /** null for local verbs: their flags are in their usage line only. */
  flags: Record<string, FlagSpec> | null;
  local: boolean;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
/** The anchor GitHub gives a `### gt convoy stage` heading. */
const anchor = (path: string) => path.replace(/ /g, '-');

function entries(): Entry[] {
  const all: Entry[] = [
    ...CATALOG.map((d) => ({
      path: d.path.join(' '),
      summary: d.summary,
      usage: d.usage,
      flags: d.syntax.flags,
      local: false,
    })),
    ...LOCAL_VERBS.map((v) => ({
      path: ['gt', ...v.words].join(' '),
      summary: v.summary,
      usage: v.usage,
      flags: null,
      local: true,
    })),
  ];
  // By path: stable whatever order verbs are added to the catalog in, and easy to scan.
  return all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function section(e: Entry): string[] {
  const lines = [`### ${e.path}`, '', e.summary, '', '```', e.usage, '```', ''];
  if (e.local) {
    lines.push('Runs in the calling process (not through the service).', '');
    return lines;
  }
  const flags = Object.entries(e.flags ?? {});
  if (flags.length === 0) return lines;
  lines.push('| flag | value | meaning |', '|---|---|---|');
  for (const [name, spec] of flags) {
    const names = `\`--${name}\`${spec.short ? `, \`-${spec.short}\`` : ''}`;
    const value = spec.type === 'boolean' ? '—' : spec.list ? 'text, repeatable' : 'text';
    lines.push(`| ${names} | ${value} | ${cell(spec.description)} |`);
  }
  lines.push('');
  return lines;
}

export function cliReference(): string {
  const all = entries();
  const out = [
    '# Command reference',
    '',
    '<!-- Generated from the command catalog (src/commands/catalog.ts, src/cli/local-verbs.ts) by',
    '     `npm run docs:cli`; test/unit/cli-doc.test.ts fails when it is out of date. Do not edit. -->',
    '',
    'Every verb of `gt` and `bd`, as the catalog declares it. The same verbs run from the command',
    'line, over NATS (`gt.api.<verb>`) and from chat (`/gt`, `/bd`), with the same flags.',
    '',
    '- Every verb takes `--json` (one JSON document on stdout) and `--help`; remote verbs also take',
    '  `--nats URL`.',
    '- Exit codes: `0` ok, `1` refused (the message says what to do), `2` usage, `3` no service.',
    '- `gt help`, `bd help`, `<command> --help` print the same information in the terminal.',
    '',
  ];
  for (const root of ['gt', 'bd']) {
    out.push(`## ${root}`, '', '| command | what it does |', '|---|---|');
    for (const e of all.filter((x) => x.path.startsWith(`${root} `)))
      out.push(`| [\`${e.path}\`](#${anchor(e.path)}) | ${cell(e.summary)} |`);
    out.push('');
    for (const e of all.filter((x) => x.path.startsWith(`${root} `))) out.push(...section(e));
  }
  return `${out.join('\n').trimEnd()}\n`;
}
