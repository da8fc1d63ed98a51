import type { Collection } from 'mongodb';
import { type ApprovalRule, withoutRule, withRule } from '../../domain/approval-rules.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import type { MergePolicy } from '../../domain/merge-policy.ts';
import { buildRig, type MqFreeze, type NewRig, type Rig } from '../../domain/rig.ts';
import type { UsageLimit } from '../../domain/usage-limit.ts';
import type { LedgerEventType, WriteContext } from '../port.ts';
import { freezeEvent, freezeRefusal } from '../rig-freeze.ts';
import { changedMergePolicy } from '../rig-policy.ts';
import type { Cas } from './cas.ts';
import { type PendingEvent, type RigDoc, rigFromDoc } from './documents.ts';
import type { Outbox } from './outbox.ts';
import { pendingEvent } from './pending-event.ts';

const isDuplicateKey = (err: unknown) => (err as { code?: number }).code === 11000;

/** Rigs: the unique indexes on name (_id) and prefix arbitrate concurrent adds. */
export class RigWrites {
  private readonly rigs: Collection<RigDoc>;
  private readonly cas: Cas;
  private readonly outbox: Outbox;

  constructor(rigs: Collection<RigDoc>, cas: Cas, outbox: Outbox) {
    this.rigs = rigs;
    this.cas = cas;
    this.outbox = outbox;
  }

  async add(input: NewRig, ctx: WriteContext): Promise<Rig> {
    if (await this.rigs.findOne({ _id: input.name }))
      throw conflict('rig_exists', `rig ${input.name} already exists; see \`gt rig list\``);
    const owner = await this.rigs.findOne({ prefix: input.prefix });
    if (owner)
      throw conflict(
        'prefix_taken',
        `prefix ${input.prefix} is already used by rig ${owner._id}; pick another`,
      );
    const rig = buildRig(input, ctx.now.toISOString());
    const { name, ...fields } = rig;
    const event = rigEvent('rig_added', ctx, name, { prefix: rig.prefix });
    try {
      await this.rigs.insertOne({ _id: name, ...fields, rev: 1, outbox: [event] });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      throw conflict('rig_exists', `rig ${name} or prefix ${rig.prefix} was just taken; see \`gt rig list\``);
    }
    await this.outbox.flush('rigs', name, [event]);
    return rig;
  }

  async setParked(name: string, parked: boolean, ctx: WriteContext): Promise<Rig> {
    await this.change(name, ctx, (doc) =>
      doc.parked === parked
        ? { skip: undefined }
        : { set: { parked }, type: parked ? 'rig_parked' : 'rig_unparked', data: {}, result: undefined },
    );
    return (await this.find(name)) as Rig;
  }

  async setMergePolicy(name: string, change: Partial<MergePolicy>, ctx: WriteContext): Promise<Rig> {
    await this.change(name, ctx, (doc) => {
      // rigFromDoc: a document from before rigs had a policy reads as the legacy one.
      const policy = changedMergePolicy(rigFromDoc(doc).merge_policy, change);
      return policy === null
        ? { skip: undefined }
        : {
            set: { merge_policy: policy },
            type: 'rig_updated',
            data: { merge_policy: policy },
            result: undefined,
          };
    });
    return (await this.find(name)) as Rig;
  }

  /** Refused inside the compare-and-swap: of two concurrent freezes, the second reads the first. */
  setFrozen(name: string, freeze: MqFreeze | null, ctx: WriteContext): Promise<Rig> {
    return this.change(name, ctx, (doc) => {
      const current = rigFromDoc(doc); // a document from before freezing reads as not frozen
      const refusal = freezeRefusal(current, freeze);
      if (refusal) throw refusal;
      const { type, data } = freezeEvent(current, freeze);
      return {
        set: { mq_frozen: freeze },
        type,
        data,
        result: { ...current, mq_frozen: freeze, version: doc.version + 1 },
      };
    });
  }

  /** The list is read inside the compare-and-swap: of two concurrent adds, the second reads the first. */
  async addApprovalRule(name: string, rule: ApprovalRule, ctx: WriteContext): Promise<Rig> {
    await this.change(name, ctx, (doc) => {
      const rules = withRule(rigFromDoc(doc).approval_rules, rule);
      return rules === null
        ? { skip: undefined }
        : {
            set: { approval_rules: rules },
            type: 'rig_updated',
            data: { approval_rules: rules },
            result: undefined,
          };
    });
    return (await this.find(name)) as Rig;
  }

  /**
   * The list and the version are read inside the compare-and-swap: of two concurrent removals of
   * the same rule, the second reads the first and is refused (withoutRule).
   */
  async removeApprovalRule(
    name: string,
    rule: ApprovalRule,
    ctx: WriteContext,
    expectVersion?: number,
  ): Promise<Rig> {
    await this.change(name, ctx, (doc) => {
      const rules = withoutRule(rigFromDoc(doc), rule, expectVersion);
      return {
        set: { approval_rules: rules },
        type: 'rig_updated',
        data: { approval_rules: rules },
        result: undefined,
      };
    });
    return (await this.find(name)) as Rig;
  }

  /** The version is checked inside the compare-and-swap: null when the rig moved since the caller read it. */
  setUsageLimit(
    name: string,
    limit: UsageLimit | null,
    expectVersion: number,
    ctx: WriteContext,
  ): Promise<Rig | null> {
    return this.change<Rig | null>(name, ctx, (doc) =>
      doc.version !== expectVersion
        ? { skip: null }
        : {
            set: { usage_limit: limit },
            type: 'rig_updated',
            data: { usage_limit: limit },
            result: { ...rigFromDoc(doc), usage_limit: limit, version: doc.version + 1 },
          },
    );
  }

  async setAccount(name: string, account: string | null, ctx: WriteContext): Promise<Rig> {
    await this.change(name, ctx, (doc) =>
      rigFromDoc(doc).account === account
        ? { skip: undefined }
        : { set: { account }, type: 'rig_updated', data: { account }, result: undefined },
    );
    return (await this.find(name)) as Rig;
  }

  /**
   * One rig change: `decide` reads the current document (inside the compare-and-swap) and names the
   * fields, the event and the answer, or skips; the version moves and the event is published.
   */
  private async change<R>(
    name: string,
    ctx: WriteContext,
    decide: (doc: RigDoc) => RigDecision<R>,
  ): Promise<R> {
    let event: PendingEvent | null = null;
    const result = await this.cas.write<RigDoc, R>(
      this.rigs,
      name,
      (doc) => {
        event = null;
        const decision = decide(doc);
        if ('skip' in decision) return decision;
        event = rigEvent(decision.type, ctx, name, decision.data);
        const set = { ...decision.set, version: doc.version + 1 };
        return { update: { $set: set, $push: { outbox: event } }, result: decision.result };
      },
      () => notFound('rig', name),
    );
    if (event) await this.outbox.flush('rigs', name, [event]);
    return result;
  }

  async find(name: string): Promise<Rig | null> {
    const doc = await this.rigs.findOne({ _id: name });
    return doc ? rigFromDoc(doc) : null;
  }

  async list(): Promise<Rig[]> {
    return (await this.rigs.find({}).sort({ _id: 1 }).toArray()).map(rigFromDoc);
  }
}

type RigDecision<R> =
  | { skip: R }
  | { set: Partial<RigDoc>; type: LedgerEventType; data: Record<string, unknown>; result: R };

const rigEvent = (type: LedgerEventType, ctx: WriteContext, rig: string, data: Record<string, unknown>) =>
  pendingEvent(type, ctx, { bead_id: null, rig }, data);
