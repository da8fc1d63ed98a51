import { parseBeadsJsonl } from '../../domain/beads-jsonl.ts';
import { parseRigName } from '../../domain/rig.ts';
import { flag, optInt, optString, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';
import { planImport } from './import-plan.ts';
import { type ImportCounts, writeImport } from './import-write.ts';

/** What `bd import` answers: what changed (or would, on a dry run) and what was mapped. */
export interface ImportResult extends ImportCounts {
  dry_run: boolean;
  unchanged: number;
  /** Ids by what happens to them, in file order. */
  ids: { created: string[]; updated: string[] };
  /** id → the fields an update changes. */
  changes: Record<string, string[]>;
  warnings: string[];
}

/** Ids a terminal reply lists at most per kind (`--json` has them all). */
const SHOWN = 20;

/**
 * `bd import <file|->`: issues of beads' JSONL export (beads.md §6.1; docs/migrating.md) into
 * the rig whose prefix each id has (or `--rig R`), ids kept. The whole file is checked first —
 * a bad line is refused with its number and nothing is written — then written (import-write.ts).
 * Running it again changes nothing; a newer export updates what changed. The CLI reads the
 * file and sends its text (cli/import-file.ts); over the API `file` is the text itself.
 */
export const bdImport = defineCommand<ImportResult>({
  path: ['bd', 'import'],
  summary:
    "Import beads' JSONL (.beads/issues.jsonl): ids, statuses, labels, comments, edges; again = no change",
  usage: 'bd import <file|-> [--rig R] [--dry-run]',
  syntax: {
    positionals: [
      // A path or - for stdin: the CLI reads it and sends the text; the API takes the text.
      { name: 'file', required: true },
    ],
    flags: {
      rig: { type: 'string', description: 'put every issue here (default: the rig whose prefix the id has)' },
      'dry-run': {
        type: 'boolean',
        description: 'check everything and print what would change; write nothing',
      },
      'first-line': {
        type: 'string',
        description: "the text's first line number in its file (the CLI sends a big file in parts)",
      },
    },
  },
  mutates: true,
  // The file's text is the ledger's to keep, not the audit trail's.
  unaudited: ['file'],
  async run(args, ctx) {
    const rig = optString(args, 'rig');
    const parsed = parseBeadsJsonl(reqString(args, 'file'), optInt(args, 'first-line', 1, 1e9) ?? 1);
    const plan = await planImport(
      ctx.services.ledger,
      parsed,
      rig === undefined ? undefined : parseRigName(rig),
    );
    const dryRun = flag(args, 'dry-run');
    const counts = dryRun
      ? {
          created: plan.issues.filter((p) => p.action === 'create').length,
          updated: plan.issues.filter((p) => p.action === 'update').length,
          comments: plan.issues.reduce((n, p) => n + p.comments.length, 0),
          edges: plan.edges.length,
        }
      : await writeImport(ctx.services.ledger, plan, ctx.write().actor);
    const idsOf = (action: string) => plan.issues.filter((p) => p.action === action).map((p) => p.issue.id);
    return {
      data: {
        dry_run: dryRun,
        ...counts,
        unchanged: plan.issues.filter((p) => p.action === 'unchanged').length,
        ids: { created: idsOf('create'), updated: idsOf('update') },
        changes: Object.fromEntries(
          plan.issues.filter((p) => p.action === 'update').map((p) => [p.issue.id, p.changed]),
        ),
        warnings: plan.warnings,
      },
    };
  },
  text: (r) => {
    const verb = r.dry_run ? 'would import' : 'imported';
    const lines = [
      `${verb}: ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged; ${r.comments} comment(s), ${r.edges} edge(s)${r.dry_run ? ' (dry run: nothing written)' : ''}`,
    ];
    const list = (label: string, ids: string[], detail?: (id: string) => string) => {
      for (const id of ids.slice(0, SHOWN)) lines.push(`  ${label} ${id}${detail ? detail(id) : ''}`);
      if (ids.length > SHOWN) lines.push(`  … and ${ids.length - SHOWN} more (see --json)`);
    };
    list('+', r.ids.created);
    list('~', r.ids.updated, (id) => ` (${(r.changes[id] ?? []).join(', ')})`);
    if (r.warnings.length > 0) {
      lines.push(`warning: ${r.warnings.length} thing(s) were mapped rather than kept as they were:`);
      for (const w of r.warnings.slice(0, SHOWN)) lines.push(`  ${w}`);
      if (r.warnings.length > SHOWN) lines.push(`  … and ${r.warnings.length - SHOWN} more (see --json)`);
    }
    return lines.join('\n');
  },
});
