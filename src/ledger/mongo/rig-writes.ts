import type { Collection } from 'mongodb';
import { type ApprovalRule, withRule } from '../../domain/approval-rules.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import type { MergePolicy } from '../../domain/merge-policy.ts';
import { buildRig, type MqFreeze, type NewRig, type Rig } from '../../domain/rig.ts';
import type { UsageLimit } from '../../domain/usage-limit.ts';
import type { LedgerEventType, WriteContext } from '../port.ts';
import { freezeEvent, freezeRefusal } from '../rig-freeze.ts';
import { changedMergePolicy } from '../rig-policy.ts';
import type { Cas } from './cas.ts';
import { type RigDoc, rigFromDoc } from './documents.ts';
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
    try {
      await this.rigs.insertOne({
        _id: name,
        ...fields,
        rev: 1,
        outbox: [rigEvent('rig_added', ctx, name, { prefix: rig.prefix })],
      });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      throw conflict('rig_exists', `rig ${name} or prefix ${rig.prefix} was just taken; see \`gt rig list\``);
    }
    await this.outbox.flush('rigs', name);
    return rig;
  }

  async setParked(name: string, parked: boolean, ctx: WriteContext): Promise<Rig> {
    const changed = await this.cas.write(
      this.rigs,
      name,
      (doc) =>
        doc.parked === parked
          ? { skip: false }
          : {
              update: {
                $set: { parked, version: doc.version + 1 },
                $push: { outbox: rigEvent(parked ? 'rig_parked' : 'rig_unparked', ctx, name, {}) },
              },
              result: true,
            },
      () => notFound('rig', name),
    );
    if (changed) await this.outbox.flush('rigs', name);
    return (await this.find(name)) as Rig;
  }

  async setMergePolicy(name: string, change: Partial<MergePolicy>, ctx: WriteContext): Promise<Rig> {
    const changed = await this.cas.write(
      this.rigs,
      name,
      (doc) => {
        // rigFromDoc: a document from before rigs had a policy reads as the legacy one.
        const policy = changedMergePolicy(rigFromDoc(doc).merge_policy, change);
        return policy === null
          ? { skip: false }
          : {
              update: {
                $set: { merge_policy: policy, version: doc.version + 1 },
                $push: { outbox: rigEvent('rig_updated', ctx, name, { merge_policy: policy }) },
              },
              result: true,
            };
      },
      () => notFound('rig', name),
    );
    if (changed) await this.outbox.flush('rigs', name);
    return (await this.find(name)) as Rig;
  }

  /** Refused inside the compare-and-swap: of two concurrent freezes, the second reads the first. */
  async setFrozen(name: string, freeze: MqFreeze | null, ctx: WriteContext): Promise<Rig> {
    const rig = await this.cas.write(
      this.rigs,
      name,
      (doc) => {
        const current = rigFromDoc(doc); // a document from before freezing reads as not frozen
        const refusal = freezeRefusal(current, freeze);
        if (refusal) throw refusal;
        const { type, data } = freezeEvent(current, freeze);
        return {
          update: {
            $set: { mq_frozen: freeze, version: doc.version + 1 },
            $push: { outbox: rigEvent(type, ctx, name, data) },
          },
          result: { ...current, mq_frozen: freeze, version: doc.version + 1 },
        };
      },
      () => notFound('rig', name),
    );
    await this.outbox.flush('rigs', name);
    return rig;
  }

  /** The list is read inside the compare-and-swap: of two concurrent adds, the second reads the first. */
  async addApprovalRule(name: string, rule: ApprovalRule, ctx: WriteContext): Promise<Rig> {
    const changed = await this.cas.write(
      this.rigs,
      name,
      (doc) => {
        const rules = withRule(rigFromDoc(doc).approval_rules, rule);
        return rules === null
          ? { skip: false }
          : {
              update: {
                $set: { approval_rules: rules, version: doc.version + 1 },
                $push: { outbox: rigEvent('rig_updated', ctx, name, { approval_rules: rules }) },
              },
              result: true,
            };
      },
      () => notFound('rig', name),
    );
    if (changed) await this.outbox.flush('rigs', name);
    return (await this.find(name)) as Rig;
  }

  /** The version is checked inside the compare-and-swap: null when the rig moved since the caller read it. */
  async setUsageLimit(
    name: string,
    limit: UsageLimit | null,
    expectVersion: number,
    ctx: WriteContext,
  ): Promise<Rig | null> {
    const rig = await this.cas.write(
      this.rigs,
      name,
      (doc) =>
        doc.version !== expectVersion
          ? { skip: null }
          : {
              update: {
                $set: { usage_limit: limit, version: doc.version + 1 },
                $push: { outbox: rigEvent('rig_updated', ctx, name, { usage_limit: limit }) },
              },
              result: { ...rigFromDoc(doc), usage_limit: limit, version: doc.version + 1 },
            },
      () => notFound('rig', name),
    );
    if (rig) await this.outbox.flush('rigs', name);
    return rig;
  }

  async setAccount(name: string, account: string | null, ctx: WriteContext): Promise<Rig> {
    const changed = await this.cas.write(
      this.rigs,
      name,
      (doc) =>
        rigFromDoc(doc).account === account
          ? { skip: false }
          : {
              update: {
                $set: { account, version: doc.version + 1 },
                $push: { outbox: rigEvent('rig_updated', ctx, name, { account }) },
              },
              result: true,
            },
      () => notFound('rig', name),
    );
    if (changed) await this.outbox.flush('rigs', name);
    return (await this.find(name)) as Rig;
  }

  async find(name: string): Promise<Rig | null> {
    const doc = await this.rigs.findOne({ _id: name });
    return doc ? rigFromDoc(doc) : null;
  }

  async list(): Promise<Rig[]> {
    return (await this.rigs.find({}).sort({ _id: 1 }).toArray()).map(rigFromDoc);
  }
}

const rigEvent = (type: LedgerEventType, ctx: WriteContext, rig: string, data: Record<string, unknown>) =>
  pendingEvent(type, ctx, { bead_id: null, rig }, data);
