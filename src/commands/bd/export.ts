import { exportLine } from '../../domain/beads-jsonl-export.ts';
import { parseRigName } from '../../domain/rig.ts';
import { parseId } from '../../domain/validation.ts';
import { optInt, optString } from '../args.ts';
import { defineCommand } from '../command.ts';

/** What `bd export` answers: one page of the file (without the final newline). */
export interface ExportResult {
  issues: number;
  jsonl: string;
  /** The id to pass as `--after` for the next page; null: this was the last one. */
  next: string | null;
}

/** Bytes of JSONL per reply at most: a page stays well inside one NATS message (8 MiB). */
export const EXPORT_PAGE_BYTES = 4 * 1024 * 1024;
/** Beads read from the ledger at a time while a page fills. */
const READ_SLICE = 500;

/**
 * `bd export [--rig R]`: the ledger in beads' JSONL (domain/beads-jsonl-export.ts), one bead a
 * line sorted by id, every bead whatever its status — the same ledger gives the same bytes, so
 * `bd export > .beads/issues.jsonl` can be committed and diffed, and `bd import` of it into an
 * empty town (with the same rigs) gives the same ledger back. A reply is one page (at most
 * `--limit` beads and EXPORT_PAGE_BYTES); `next` is the cursor for `--after`, and the CLI
 * fetches every page and prints them as one file (cli/export-pages.ts).
 */
export const bdExport = defineCommand<ExportResult>({
  path: ['bd', 'export'],
  summary: "Write the ledger as beads' JSONL, sorted and stable (bd export > .beads/issues.jsonl)",
  usage: 'bd export [--rig R]',
  syntax: {
    positionals: [],
    flags: {
      rig: { type: 'string', description: "only this rig's beads" },
      after: { type: 'string', description: "the page after this id (the previous reply's next)" },
      limit: { type: 'string', description: 'beads per page at most (the CLI pages for you)' },
    },
  },
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const rig = optString(args, 'rig');
    const rawAfter = optString(args, 'after');
    const after = rawAfter === undefined ? undefined : parseId(rawAfter);
    const limit = optInt(args, 'limit', 1, 1_000_000) ?? Number.POSITIVE_INFINITY;
    const scope = rig === undefined ? undefined : parseRigName(rig);
    // Read in slices in id order (the ledger's cursor): the service never holds the whole town.
    const lines: string[] = [];
    let bytes = 0;
    let cursor = after ?? null;
    let next: string | null = null;
    page: for (;;) {
      const want = Math.min(READ_SLICE, limit - lines.length);
      const beads = await ledger.beadsAfter(cursor, want, scope);
      for (const bead of beads) {
        const line = exportLine(
          bead,
          await ledger.dependenciesOf(bead.id),
          await ledger.listComments(bead.id),
        );
        const size = Buffer.byteLength(line) + 1;
        // One line always goes, however long: a page must move the cursor.
        if (lines.length > 0 && bytes + size > EXPORT_PAGE_BYTES) {
          next = cursor;
          break page;
        }
        lines.push(line);
        bytes += size;
        cursor = bead.id;
      }
      if (beads.length < want) break;
      if (lines.length >= limit) {
        next = (await ledger.beadsAfter(cursor, 1, scope)).length > 0 ? cursor : null;
        break;
      }
    }
    return { data: { issues: lines.length, jsonl: lines.join('\n'), next } };
  },
  text: (r) => r.jsonl,
});
