import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ledger } from '../../src/ledger/port.ts';
import { registerApprovalRulesContract } from './approval-rules.contract.ts';
import { registerBlockingContract } from './blocking.contract.ts';
import { registerDependencyContract } from './dependency.contract.ts';
import {
  type ContractOptions,
  clock,
  type LedgerFactory,
  type LedgerFixture,
  RACES_SKIPPED,
} from './harness.ts';
import { registerImportContract } from './import.contract.ts';
import { registerLifecycleContract } from './lifecycle.contract.ts';
import { registerMailContract, registerNudgeContract } from './mail.contract.ts';
import { registerMergeRequestContract } from './merge-requests.contract.ts';
import { registerRecordsContract } from './records.contract.ts';
import { registerRetentionContract } from './retention.contract.ts';
import { registerRigFreezeContract } from './rig-freeze.contract.ts';
import { registerRigPolicyContract } from './rig-policy.contract.ts';
import { registerSupervisionContract } from './supervision.contract.ts';
import { registerUsageContract } from './usage.contract.ts';
import { registerUsageLimitContract } from './usage-limit.contract.ts';

/**
 * The ledger contract: every adapter must pass all of it. Scenarios are beads.md §8, adapted
 * where docs/decisions.md fixes upstream behaviour on purpose.
 */
export function runLedgerContract(
  name: string,
  factory: LedgerFactory,
  options: ContractOptions = { races: true },
): void {
  if (!options.races) process.stderr.write(`\nledger contract: ${name}: races ${RACES_SKIPPED}\n\n`);
  describe(`ledger contract: ${name}`, () => {
    const state = { races: options.races } as ContractState;
    beforeEach(async () => {
      state.fx = await factory();
      state.ledger = state.fx.ledger;
      state.ctx = clock();
    });
    afterEach(async () => {
      await state.fx.cleanup();
    });

    it('creates a bead with defaults and reads it back', async () => {
      const bead = await state.ledger.createBead({ title: 'Fix login' }, state.ctx('alice'));
      expect(bead).toMatchObject({
        title: 'Fix login',
        acceptance_criteria: '',
        status: 'open',
        priority: 2,
        issue_type: 'task',
        assignee: null,
        labels: [],
        parent: null,
        rig: null,
        created_by: 'alice',
        closed_at: null,
        is_blocked: false,
      });
      expect(bead.id).toMatch(/^hq-[0-9a-z]{3}$/);
      expect(await state.ledger.getBead(bead.id)).toEqual(bead);
    });

    registerLifecycleContract(state);
    registerBlockingContract(state);
    registerDependencyContract(state);
    registerRecordsContract(state);
    registerRigPolicyContract(state);
    registerRigFreezeContract(state);
    registerUsageLimitContract(state);
    registerApprovalRulesContract(state);
    registerMailContract(state);
    registerNudgeContract(state);
    registerSupervisionContract(state);
    registerUsageContract(state);
    registerMergeRequestContract(state);
    registerImportContract(state);
    registerRetentionContract(state);
  });
}

export type ContractState = {
  fx: LedgerFixture;
  ledger: Ledger;
  ctx: ReturnType<typeof clock>;
  /** Registration-time: whether concurrency races can be honoured (harness.ts raceIt). */
  races: boolean;
};
