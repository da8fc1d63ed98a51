import { createHash } from 'node:crypto';
import type { Collection } from 'mongodb';
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
import { checkClose, checkReopen } from '../../domain/close-rules.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import type { GraphView } from '../../domain/graph-view.ts';
import { candidateIds, idPrefixFor, nextChildId, prefixOf, TOWN_PREFIX } from '../../domain/ids.ts';
import type { ClaimRequest, CloseOptions, LedgerEventType, WriteContext } from '../port.ts';
import type { Cas } from './cas.ts';
import {
  type BeadDoc,
  beadFromDoc,
  fieldsOf,
  type PendingEvent,
  type RigDoc,
  type Ripple,
} from './documents.ts';
import type { Outbox } from './outbox.ts';
import { ofBead, pendingEvent } from './pending-event.ts';
import { PrefixCounts } from './prefix-counts.ts';
import { blockedOn } from './ripple.ts';
import { SnapshotCache } from './snapshot.ts';

const sha256 = (text: string): Uint8Array => createHash('sha256').update(text).digest();
const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

type Decision = { next: Bead; type: LedgerEventType; data: Record<string, unknown> } | null;

/**
 * Bead writes on MongoDB: read → domain decision (on a graph snapshot) → compare-and-swap with the
 * event in the same update (cas.ts); a lost race is re-read and re-decided, never overwritten.
 */
export class BeadWrites {
  private readonly beads: Collection<BeadDoc>;
  private readonly rigs: Collection<RigDoc>;
  private readonly cas: Cas;
  private readonly outbox: Outbox;
  private sequence = 0;
  private readonly rigPrefixes = new Map<string, string>();
  private readonly counts: PrefixCounts;

  constructor(beads: Collection<BeadDoc>, rigs: Collection<RigDoc>, cas: Cas, outbox: Outbox) {
    this.beads = beads;
    this.rigs = rigs;
    this.cas = cas;
    this.outbox = outbox;
    this.counts = new PrefixCounts((prefix) => beads.countDocuments({ prefix }));
  }

  async load(id: string): Promise<Bead> {
    const doc = await this.beads.findOne({ _id: id }, { projection: { outbox: 0 } });
    if (!doc) throw notFound('bead', id);
    return beadFromDoc(doc);
  }

  /** Applies `decide`'s next state with its event; returns null when `decide` declined. */
  private async transition(
    id: string,
    decide: (bead: Bead, view: GraphView) => Decision,
    ctx: WriteContext,
  ): Promise<Bead | null> {
    let event: PendingEvent | null = null;
    const { result: decided, written } = await this.cas.writeReturning(
      this.beads,
      id,
      async (doc) => {
        const bead = beadFromDoc(doc);
        const cache = new SnapshotCache(this.beads);
        cache.docs.set(id, doc);
        const decision = await cache.run((view) => decide(bead, view));
        if (!decision) return { skip: false };
        const fields = fieldsOf(decision.next);
        let ripple: Ripple = { kind: 'none' };
        if (isActive(bead.status) !== isActive(decision.next.status)) {
          // Crossing active ↔ closed/pinned: the bead's own flag changes in this very write.
          fields.is_blocked = await blockedOn(this.beads, { ...doc, ...fields }, cache);
          ripple = { kind: 'status', id };
        }
        event = pendingEvent(decision.type, ctx, ofBead(decision.next), decision.data, ripple);
        return { update: { $set: fields, $push: { outbox: event } }, result: true };
      },
      () => notFound('bead', id),
    );
    if (!decided || !event) return null;
    await this.outbox.flush('beads', id, [event]);
    return written ? beadFromDoc(written) : this.load(id);
  }

  /** For verbs where "nothing to change" still answers with the bead. */
  private async orCurrent(id: string, pending: Promise<Bead | null>): Promise<Bead> {
    return (await pending) ?? this.load(id);
  }

  update(id: string, patch: BeadPatch, ctx: WriteContext): Promise<Bead> {
    const decide = (bead: Bead, view: GraphView): Decision => {
      if (patch.status === 'closed' && bead.status !== 'closed') checkClose(bead, false, view);
      const { bead: next, changed, event } = applyPatch(bead, patch, ctx.now.toISOString());
      return changed.length === 0 ? null : { next, type: event, data: { changed, patch } };
    };
    return this.orCurrent(id, this.transition(id, decide, ctx));
  }

  close(id: string, options: CloseOptions, ctx: WriteContext): Promise<Bead> {
    const decide = (bead: Bead, view: GraphView): Decision => {
      checkClose(bead, options.force ?? false, view);
      const next = closed(bead, options.reason ?? '', ctx.now.toISOString());
      return {
        next,
        type: 'bead_closed',
        data: { reason: next.close_reason, forced: options.force ?? false },
      };
    };
    return this.orCurrent(id, this.transition(id, decide, ctx));
  }

  reopen(id: string, ctx: WriteContext): Promise<Bead> {
    const decide = (bead: Bead): Decision => {
      checkReopen(bead);
      return {
        next: reopened(bead, ctx.now.toISOString()),
        type: 'bead_reopened',
        data: { from: bead.status },
      };
    };
    return this.orCurrent(id, this.transition(id, decide, ctx));
  }

  async claim(id: string, claim: ClaimRequest, ctx: WriteContext): Promise<Bead | null> {
    let sameClaimant = false;
    const decide = (bead: Bead): Decision => {
      sameClaimant = false;
      if (!claimMatches(bead, claim.expect)) return null;
      const { bead: next, changed } = applyPatch(bead, claim.set, ctx.now.toISOString());
      if (changed.length === 0) {
        sameClaimant = true; // the same claimant again: idempotent
        return null;
      }
      return { next, type: 'bead_claimed', data: { ...claim.set, from: claim.expect } };
    };
    const claimed = await this.transition(id, decide, ctx);
    return claimed ?? (sameClaimant ? this.load(id) : null);
  }

  async create(input: NewBead, ctx: WriteContext): Promise<Bead> {
    const parent = input.parent ? await this.load(input.parent) : null;
    const rig = await this.resolveRig(input.rig ?? null, parent);
    const labels = [...(parent?.labels ?? []), ...(input.labels ?? [])];
    const now = ctx.now.toISOString();
    const draft = (id: string) =>
      buildBead({ ...input, labels, parent: parent?.id ?? null }, id, rig.name, ctx.actor, now);
    draft(`${TOWN_PREFIX}-0`); // validates the input (title, labels…) before any id is tried
    const ids = input.id
      ? [input.id]
      : parent
        ? this.childIds(parent.id)
        : await this.hashIds(input, idPrefixFor(input.issue_type, rig.prefix), ctx);
    for await (const id of ids) {
      const bead = draft(id);
      // A new bead has no dependents yet: only a parent's waits-for spawners may need a look.
      const ripple: Ripple = parent
        ? { kind: 'edge', source: id, target: parent.id, type: 'parent-child' }
        : { kind: 'none' };
      const data = { title: bead.title, issue_type: bead.issue_type };
      const event = pendingEvent('bead_created', ctx, ofBead(bead), data, ripple);
      const deps = parent
        ? [
            {
              depends_on_id: parent.id,
              type: 'parent-child' as const,
              created_at: now,
              created_by: ctx.actor,
            },
          ]
        : [];
      const { id: _id, ...fields } = bead;
      const doc: BeadDoc = { _id: id, ...fields, prefix: prefixOf(id), deps, outbox: [event], rev: 1 };
      if (parent) doc.is_blocked = await blockedOn(this.beads, doc); // a blocked parent's child starts blocked
      try {
        await this.beads.insertOne(doc);
      } catch (err) {
        if (!isDuplicateKey(err)) throw err;
        if (input.id) throw conflict('id_exists', `bead ${input.id} already exists`);
        continue;
      }
      await this.outbox.flush('beads', id, [event]);
      this.counts.created(doc.prefix);
      // A top-level bead is as inserted; a child's ripple may have touched the new bead's neighbourhood.
      return ripple.kind === 'none' ? beadFromDoc(doc) : this.load(id);
    }
    throw conflict('id_exhausted', `could not find a free id under prefix ${rig.prefix}; retry`);
  }

  private async resolveRig(
    rigName: string | null,
    parent: Bead | null,
  ): Promise<{ name: string | null; prefix: string }> {
    const name = placeBead(rigName, parent);
    if (name === null) return { name: null, prefix: TOWN_PREFIX };
    // Rigs are never removed and their prefix never changes: one read per rig per process.
    let prefix = this.rigPrefixes.get(name);
    if (prefix === undefined) {
      const rig = await this.rigs.findOne({ _id: name }, { projection: { prefix: 1 } });
      if (!rig) throw notFound('rig', name);
      prefix = rig.prefix;
      this.rigPrefixes.set(name, prefix);
    }
    return { name, prefix };
  }

  private async hashIds(input: NewBead, prefix: string, ctx: WriteContext): Promise<string[]> {
    const existing = await this.counts.of(prefix);
    const seed = {
      prefix,
      title: input.title,
      description: input.description ?? '',
      actor: ctx.actor,
      createdAtNs: `${ctx.now.getTime()}${String(this.sequence++ % 1e6).padStart(6, '0')}`,
    };
    return [...candidateIds(seed, existing, sha256)];
  }

  /**
   * `P.n` past every existing child. Beads are never deleted here, so the children themselves are
   * the high-water mark (no counter document); the unique _id settles two concurrent creators.
   */
  private async *childIds(parentId: string): AsyncGenerator<string> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const children = await this.beads
        .find({ _id: { $gt: `${parentId}.`, $lt: `${parentId}/` } }, { projection: { _id: 1 } })
        .toArray();
      yield nextChildId(
        parentId,
        0,
        children.map((c) => c._id),
      );
    }
  }
}
