import { createHash, randomUUID } from 'node:crypto';
import type { Bead, BeadPatch, NewBead } from '../../domain/bead.ts';
import { isActive } from '../../domain/bead.ts';
import {
  applyPatch,
  buildBead,
  claimMatches,
  closed,
  placeBead,
  reopened,
} from '../../domain/bead-changes.ts';
import { affectedByEdgeChange, affectedByStatusChange } from '../../domain/blocking.ts';
import { checkClose, checkReopen } from '../../domain/close-rules.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import { candidateIds, idPrefixFor, nextChildId, TOWN_PREFIX } from '../../domain/ids.ts';
import type { ClaimRequest, CloseOptions, Comment, WriteContext } from '../port.ts';
import { rigFromRow } from './rows.ts';
import type { Writer } from './writer.ts';

const sha256 = (text: string): Uint8Array => createHash('sha256').update(text).digest();

/** Bead creation and single-bead transitions, each in one SQLite transaction. */
export class BeadWrites {
  private readonly w: Writer;
  private sequence = 0;

  constructor(writer: Writer) {
    this.w = writer;
  }

  create(input: NewBead, ctx: WriteContext): Bead {
    return this.w.db.transaction(() => {
      const parent = input.parent ? this.w.load(input.parent) : null;
      const rig = this.resolveRig(input.rig ?? null, parent);
      const now = ctx.now.toISOString();
      const id =
        input.id ??
        (parent
          ? this.childId(parent.id)
          : this.generateId(input, idPrefixFor(input.issue_type, rig.prefix), ctx));
      if (input.id && this.w.find(input.id)) throw conflict('id_exists', `bead ${input.id} already exists`);
      const labels = [...(parent?.labels ?? []), ...(input.labels ?? [])];
      const bead = buildBead({ ...input, labels, parent: parent?.id ?? null }, id, rig.name, ctx.actor, now);
      this.w.insert(bead);
      if (parent) {
        this.w.db.run(
          `INSERT INTO deps (issue_id, depends_on_id, type, created_at, created_by)
           VALUES ($id, $parent, 'parent-child', $now, $actor)`,
          { id, parent: parent.id, now, actor: ctx.actor },
        );
      }
      this.w.event('bead_created', ctx, id, bead.rig, { title: bead.title, issue_type: bead.issue_type });
      // A new child may block whoever waits for its parent (waits-for fan-in).
      this.w.propagate(parent ? affectedByEdgeChange(id, parent.id, 'parent-child', this.w.view) : [id]);
      return this.w.load(id);
    });
  }

  /** A bead inherits its parent's rig; an explicit --rig must agree with it. */
  private resolveRig(rigName: string | null, parent: Bead | null): { name: string | null; prefix: string } {
    const name = placeBead(rigName, parent);
    if (name === null) return { name: null, prefix: TOWN_PREFIX };
    const row = this.w.db.get('SELECT * FROM rigs WHERE name = $name', { name });
    if (!row) throw notFound('rig', name);
    return { name, prefix: rigFromRow(row).prefix };
  }

  private generateId(input: NewBead, prefix: string, ctx: WriteContext): string {
    const count = Number(this.w.db.get('SELECT n FROM id_counts WHERE prefix = $prefix', { prefix })?.n ?? 0);
    const seed = {
      prefix,
      title: input.title,
      description: input.description ?? '',
      actor: ctx.actor,
      createdAtNs: `${ctx.now.getTime()}${String(this.sequence++ % 1e6).padStart(6, '0')}`,
    };
    for (const id of candidateIds(seed, count, sha256)) {
      if (this.w.find(id)) continue;
      this.w.db.run(
        'INSERT INTO id_counts (prefix, n) VALUES ($prefix, 1) ON CONFLICT(prefix) DO UPDATE SET n = n + 1',
        { prefix },
      );
      return id;
    }
    throw conflict('id_exhausted', `could not find a free id under prefix ${prefix}; retry`);
  }

  private childId(parentId: string): string {
    const counter = Number(
      this.w.db.get('SELECT n FROM child_counters WHERE parent = $p', { p: parentId })?.n ?? 0,
    );
    const existing = this.w.db
      .all('SELECT id FROM beads WHERE id > $lo AND id < $hi', { lo: `${parentId}.`, hi: `${parentId}/` })
      .map((r) => String(r.id));
    const id = nextChildId(parentId, counter, existing);
    this.w.db.run(
      `INSERT INTO child_counters (parent, n) VALUES ($p, $n) ON CONFLICT(parent) DO UPDATE SET n = $n`,
      { p: parentId, n: Number(id.slice(parentId.length + 1)) },
    );
    return id;
  }

  update(id: string, patch: BeadPatch, ctx: WriteContext): Bead {
    return this.w.db.transaction(() => {
      const before = this.w.load(id);
      if (patch.status === 'closed' && before.status !== 'closed') checkClose(before, false, this.w.view);
      const { bead, changed, event } = applyPatch(before, patch, ctx.now.toISOString());
      if (changed.length === 0) return before;
      this.w.save(bead, before.version);
      this.w.event(event, ctx, id, bead.rig, { changed, patch });
      this.propagateIfBoundaryCrossed(before, bead);
      return this.w.load(id);
    });
  }

  close(id: string, options: CloseOptions, ctx: WriteContext): Bead {
    return this.w.db.transaction(() => {
      const before = this.w.load(id);
      checkClose(before, options.force ?? false, this.w.view);
      const bead = closed(before, options.reason ?? '', ctx.now.toISOString());
      this.w.save(bead, before.version);
      this.w.event('bead_closed', ctx, id, bead.rig, {
        reason: bead.close_reason,
        forced: options.force ?? false,
      });
      this.propagateIfBoundaryCrossed(before, bead);
      return this.w.load(id);
    });
  }

  reopen(id: string, ctx: WriteContext): Bead {
    return this.w.db.transaction(() => {
      const before = this.w.load(id);
      checkReopen(before);
      const bead = reopened(before, ctx.now.toISOString());
      this.w.save(bead, before.version);
      this.w.event('bead_reopened', ctx, id, bead.rig, { from: before.status });
      this.propagateIfBoundaryCrossed(before, bead);
      return this.w.load(id);
    });
  }

  claim(id: string, claim: ClaimRequest, ctx: WriteContext): Bead | null {
    return this.w.db.transaction(() => {
      const before = this.w.load(id);
      if (!claimMatches(before, claim.expect)) return null;
      const { bead, changed } = applyPatch(before, claim.set, ctx.now.toISOString());
      if (changed.length === 0) return before; // the same claimant again: idempotent
      this.w.save(bead, before.version);
      this.w.event('bead_claimed', ctx, id, bead.rig, { ...claim.set, from: claim.expect });
      this.propagateIfBoundaryCrossed(before, bead);
      return this.w.load(id);
    });
  }

  comment(id: string, text: string, ctx: WriteContext): Comment {
    return this.w.db.transaction(() => {
      const bead = this.w.load(id);
      const comment = {
        id: randomUUID(),
        issue_id: id,
        author: ctx.actor,
        text,
        created_at: ctx.now.toISOString(),
      };
      this.w.db.run(
        'INSERT INTO comments (id, issue_id, author, text, created_at) VALUES ($id, $issue_id, $author, $text, $created_at)',
        comment,
      );
      this.w.event('comment_added', ctx, id, bead.rig, { comment_id: comment.id });
      return comment;
    });
  }

  private propagateIfBoundaryCrossed(before: Bead, after: Bead): void {
    if (isActive(before.status) !== isActive(after.status)) {
      this.w.propagate(affectedByStatusChange(after.id, this.w.view));
    }
  }
}
