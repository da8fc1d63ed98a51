import { type ApprovalRule, withoutRule, withRule } from '../../domain/approval-rules.ts';
import { conflict, notFound } from '../../domain/errors.ts';
import type { MergePolicy } from '../../domain/merge-policy.ts';
import { buildRig, type MqFreeze, type NewRig, type Rig } from '../../domain/rig.ts';
import type { UsageLimit } from '../../domain/usage-limit.ts';
import type { WriteContext } from '../port.ts';
import { freezeEvent, freezeRefusal } from '../rig-freeze.ts';
import { changedMergePolicy } from '../rig-policy.ts';
import { rigFromRow } from './rows.ts';
import type { Writer } from './writer.ts';

/** Rig registration, parking, merge policy, freezing its merge queue, its account and usage-limit pause. */
export class RigWrites {
  private readonly w: Writer;

  constructor(writer: Writer) {
    this.w = writer;
  }

  add(input: NewRig, ctx: WriteContext): Rig {
    return this.w.db.transaction(() => {
      if (this.find(input.name))
        throw conflict('rig_exists', `rig ${input.name} already exists; see \`gt rig list\``);
      const owner = this.w.db.get('SELECT name FROM rigs WHERE prefix = $p', { p: input.prefix });
      if (owner) {
        throw conflict(
          'prefix_taken',
          `prefix ${input.prefix} is already used by rig ${String(owner.name)}; pick another`,
        );
      }
      const rig = buildRig(input, ctx.now.toISOString());
      this.w.db.run(
        `INSERT INTO rigs (name, prefix, repo, max_polecats, runtime, command, env, merge_policy, parked, created_at, version)
         VALUES ($name, $prefix, $repo, $max_polecats, $runtime, $command, $env, $merge_policy, 0, $created_at, 1)`,
        {
          name: rig.name,
          prefix: rig.prefix,
          repo: rig.repo,
          max_polecats: rig.max_polecats,
          runtime: rig.runtime,
          command: rig.command,
          env: JSON.stringify(rig.env),
          merge_policy: JSON.stringify(rig.merge_policy),
          created_at: rig.created_at,
        },
      );
      this.w.event('rig_added', ctx, null, rig.name, { prefix: rig.prefix });
      return rig;
    });
  }

  setParked(name: string, parked: boolean, ctx: WriteContext): Rig {
    return this.w.db.transaction(() => {
      const rig = this.find(name);
      if (!rig) throw notFound('rig', name);
      if (rig.parked === parked) return rig;
      this.w.db.run('UPDATE rigs SET parked = $p, version = version + 1 WHERE name = $name', {
        name,
        p: parked ? 1 : 0,
      });
      this.w.event(parked ? 'rig_parked' : 'rig_unparked', ctx, null, name);
      return this.find(name) as Rig;
    });
  }

  setMergePolicy(name: string, change: Partial<MergePolicy>, ctx: WriteContext): Rig {
    return this.w.db.transaction(() => {
      const rig = this.find(name);
      if (!rig) throw notFound('rig', name);
      const policy = changedMergePolicy(rig.merge_policy, change);
      if (!policy) return rig;
      // The version check makes it a compare-and-swap even inside the transaction.
      const { changes } = this.w.db.run(
        'UPDATE rigs SET merge_policy = $mp, version = version + 1 WHERE name = $name AND version = $v',
        { name, mp: JSON.stringify(policy), v: rig.version },
      );
      if (changes !== 1) throw new Error(`lost update on rig ${name}: version ${rig.version} changed`);
      this.w.event('rig_updated', ctx, null, name, { merge_policy: policy });
      return this.find(name) as Rig;
    });
  }

  setFrozen(name: string, freeze: MqFreeze | null, ctx: WriteContext): Rig {
    return this.w.db.transaction(() => {
      const rig = this.find(name);
      if (!rig) throw notFound('rig', name);
      const refusal = freezeRefusal(rig, freeze);
      if (refusal) throw refusal;
      const { changes } = this.w.db.run(
        'UPDATE rigs SET mq_frozen = $f, version = version + 1 WHERE name = $name AND version = $v',
        { name, f: freeze ? JSON.stringify(freeze) : null, v: rig.version },
      );
      if (changes !== 1) throw new Error(`lost update on rig ${name}: version ${rig.version} changed`);
      const { type, data } = freezeEvent(rig, freeze);
      this.w.event(type, ctx, null, name, data);
      return this.find(name) as Rig;
    });
  }

  addApprovalRule(name: string, rule: ApprovalRule, ctx: WriteContext): Rig {
    return this.w.db.transaction(() => {
      const rig = this.find(name);
      if (!rig) throw notFound('rig', name);
      const rules = withRule(rig.approval_rules, rule);
      if (!rules) return rig;
      const { changes } = this.w.db.run(
        'UPDATE rigs SET approval_rules = $r, version = version + 1 WHERE name = $name AND version = $v',
        { name, r: JSON.stringify(rules), v: rig.version },
      );
      if (changes !== 1) throw new Error(`lost update on rig ${name}: version ${rig.version} changed`);
      this.w.event('rig_updated', ctx, null, name, { approval_rules: rules });
      return this.find(name) as Rig;
    });
  }

  /** Refused (withoutRule) when the rule is gone or the rig moved past `expectVersion`. */
  removeApprovalRule(name: string, rule: ApprovalRule, ctx: WriteContext, expectVersion?: number): Rig {
    return this.w.db.transaction(() => {
      const rig = this.find(name);
      if (!rig) throw notFound('rig', name);
      const rules = withoutRule(rig, rule, expectVersion);
      const { changes } = this.w.db.run(
        'UPDATE rigs SET approval_rules = $r, version = version + 1 WHERE name = $name AND version = $v',
        { name, r: JSON.stringify(rules), v: rig.version },
      );
      if (changes !== 1) throw new Error(`lost update on rig ${name}: version ${rig.version} changed`);
      this.w.event('rig_updated', ctx, null, name, { approval_rules: rules });
      return this.find(name) as Rig;
    });
  }

  /** A compare-and-swap on the version the caller read: null when the rig moved since. */
  setUsageLimit(
    name: string,
    limit: UsageLimit | null,
    expectVersion: number,
    ctx: WriteContext,
  ): Rig | null {
    return this.w.db.transaction(() => {
      if (!this.find(name)) throw notFound('rig', name);
      const { changes } = this.w.db.run(
        'UPDATE rigs SET usage_limit = $l, version = version + 1 WHERE name = $name AND version = $v',
        { name, l: limit ? JSON.stringify(limit) : null, v: expectVersion },
      );
      if (changes !== 1) return null;
      this.w.event('rig_updated', ctx, null, name, { usage_limit: limit });
      return this.find(name) as Rig;
    });
  }

  setAccount(name: string, account: string | null, ctx: WriteContext): Rig {
    return this.w.db.transaction(() => {
      const rig = this.find(name);
      if (!rig) throw notFound('rig', name);
      if (rig.account === account) return rig;
      const { changes } = this.w.db.run(
        'UPDATE rigs SET account = $a, version = version + 1 WHERE name = $name AND version = $v',
        { name, a: account, v: rig.version },
      );
      if (changes !== 1) throw new Error(`lost update on rig ${name}: version ${rig.version} changed`);
      this.w.event('rig_updated', ctx, null, name, { account });
      return this.find(name) as Rig;
    });
  }

  find(name: string): Rig | null {
    const row = this.w.db.get('SELECT * FROM rigs WHERE name = $name', { name });
    return row ? rigFromRow(row) : null;
  }

  list(): Rig[] {
    return this.w.db.all('SELECT * FROM rigs ORDER BY name').map(rigFromRow);
  }
}
