import {
  GATE_EXCERPT_CHARS,
  type GateResult,
  MERGING_LABEL,
  type MergeRequest,
  mergedReason,
} from '../../domain/merge-request.ts';
import type { Reply } from '../../domain/reply.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import type { Outcome } from './attempt.ts';

export type Execute = (verb: string, args: Record<string, unknown>) => Promise<Reply>;

export interface OutcomeDeps {
  ledger: Ledger;
  /** The command layer, as the refinery (system actor). */
  execute: Execute;
  write: () => WriteContext;
  maxAttempts: number;
  /** Deletes a merged branch (never throws: one still checked out is retried later). */
  dropBranch: (branch: string) => Promise<void>;
}

/**
 * What the engine does with the end of an attempt (the MR is `verifying`, at `mr.version`):
 * landed → merged, the bead closed `Merged in <mr> at <sha>`, the branch deleted; a conflict or
 * a failing gate → rework with the evidence (the bead slung again) until the attempts run out,
 * then held for a person; a stale or missing branch, a broken repository or no gate policy →
 * held for a person, never merged. Every move is a compare-and-swap.
 */
export async function record(
  mr: MergeRequest,
  outcome: Outcome,
  d: OutcomeDeps,
): Promise<MergeRequest | null> {
  switch (outcome.kind) {
    case 'landed':
      return landed(mr, outcome.mergeCommit, outcome.gates, d, outcome.tree);
    case 'already-landed':
      return landed(mr, outcome.mergeCommit, mr.gates, d);
    case 'conflict':
      return rework(mr, `conflicts with ${mr.target} in: ${outcome.conflicts.join(', ')}`, mr.gates, d);
    case 'gates-failed':
      return rework(mr, failedGate(outcome.gates), outcome.gates, d);
    case 'gate-broken':
      return hold(
        mr,
        `${failedGate(outcome.gates)}\nThe gate could not run: that is the rig's setup, not this work. Fix the gate (gt rig set ${mr.rig} --gate CMD) or install what it needs, then gt mq retry ${mr.id}.`,
        d,
        { gates: outcome.gates, landAnyway: true },
      );
    case 'target-broken':
      return hold(mr, targetBroken(mr, outcome), d, { gates: outcome.gates, landAnyway: true });
    case 'stale':
      return rework(
        mr,
        `stale: ${mr.branch} moved from the submitted ${mr.sha.slice(0, 12)} to ${outcome.head.slice(0, 12)}; only a submitted commit is merged — run gt done again`,
        mr.gates,
        d,
      );
    case 'branch-missing':
      return hold(mr, `branch ${mr.branch} no longer exists: its work may be lost`, d);
    case 'frozen':
      // Back in line with its verified tree: after the thaw it lands without running the gates
      // again, as long as the target has not moved meanwhile.
      return move(d, mr, {
        status: 'queued',
        attempts: mr.attempts - 1,
        gates: outcome.gates,
        ...(outcome.tree && { verified_tree: outcome.tree }),
        reason: `verified, not landed: ${outcome.why}`,
      });
    case 'target-moved':
      return hold(mr, `${mr.target} kept moving while this was verified`, d, { gates: outcome.gates });
    case 'no-gates':
      return hold(
        mr,
        `the rig has no gate policy: set gates (gt rig set ${mr.rig} --gate CMD, or --gate none), then gt mq retry ${mr.id}; nothing lands unverified`,
        d,
      );
    case 'broken':
      return hold(
        mr,
        outcome.why,
        d,
        outcome.passed ? { verifiedTree: outcome.passed.tree, gates: outcome.passed.gates } : {},
      );
  }
}

/** The evidence that the target fails the gate by itself: the person deciding sees both runs. */
function targetBroken(mr: MergeRequest, o: Extract<Outcome, { kind: 'target-broken' }>): string {
  const t = o.onTarget;
  const how = t.timed_out ? 'times out' : `exits ${t.exit}`;
  return [
    `gate \`${t.command}\` fails on ${mr.target} at ${o.tip.slice(0, 12)} too (${how} there, without this work): the target is broken, not this work.`,
    `Fix ${mr.target}, then gt mq retry ${mr.id}; or land it anyway (gt mq land-anyway ${mr.id} -r REASON, needs mq:override).`,
    `On ${mr.target}:\n${t.excerpt.slice(-GATE_EXCERPT_CHARS / 2)}`,
  ].join('\n');
}

export function failedGate(gates: readonly GateResult[]): string {
  const failed = gates.at(-1);
  if (!failed) return 'a gate failed';
  const how = failed.timed_out
    ? `timed out after ${Math.round(failed.duration_ms / 1000)} s`
    : `exited ${failed.exit}`;
  return `gate \`${failed.command}\` ${how}:\n${failed.excerpt.slice(-GATE_EXCERPT_CHARS)}`;
}

const move = (d: OutcomeDeps, mr: MergeRequest, set: Parameters<Ledger['updateMergeRequest']>[1]['set']) =>
  d.ledger.updateMergeRequest(mr.id, { expect: { status: mr.status, version: mr.version }, set }, d.write());

async function landed(mr: MergeRequest, sha: string, gates: GateResult[], d: OutcomeDeps, tree?: string) {
  const overridden = mr.override
    ? ` without passing gates: landed anyway by ${mr.override.by} (${mr.override.reason})`
    : '';
  const merged = await move(d, mr, {
    status: 'merged',
    merge_commit: sha,
    merged_at: d.write().now.toISOString(),
    gates,
    reason: `landed on ${mr.target} at ${sha}${overridden}`,
    ...(tree && !mr.override && { verified_tree: tree }),
  });
  if (!merged) return null;
  await closeBead(merged, d);
  for (const branch of await obsoleteBranches(merged, d.ledger)) await d.dropBranch(branch);
  return merged;
}

/**
 * The landed branch, and the polecat branches of the bead's superseded merge requests (a rework
 * by another polecat leaves the first one's branch behind): all done with.
 */
async function obsoleteBranches(mr: MergeRequest, ledger: Ledger): Promise<string[]> {
  const earlier = mr.bead_id
    ? await ledger.listMergeRequests({ bead: mr.bead_id, status: ['superseded'] })
    : [];
  const polecats = earlier.map((m) => m.branch).filter((b) => b.startsWith('polecat/'));
  return [...new Set([mr.branch, ...polecats])];
}

/** The bead closes only now that its work is on the target (so dependents start from it). */
export async function closeBead(mr: MergeRequest, d: Pick<OutcomeDeps, 'execute' | 'ledger'>): Promise<void> {
  if (!mr.bead_id || !mr.merge_commit) return;
  const bead = await d.ledger.getBead(mr.bead_id);
  if (!bead || bead.status === 'closed') return;
  await d.execute('bd close', { ids: [mr.bead_id], reason: mergedReason(mr, mr.merge_commit), force: true });
}

async function rework(mr: MergeRequest, why: string, gates: GateResult[], d: OutcomeDeps) {
  const attempts = await attemptsOf(mr, d.ledger);
  if (attempts >= d.maxAttempts)
    return hold(mr, `${why}\n(${attempts} attempts: a person decides now)`, d, { gates, landAnyway: true });
  const moved = await move(d, mr, { status: 'needs-rework', reason: why, gates, override: null });
  if (!moved || !mr.bead_id) return moved;
  // The bead goes back to work: its polecat (or any) gets it with the evidence in its prompt.
  await d.execute('bd update', {
    id: mr.bead_id,
    status: 'open',
    assignee: '',
    'remove-label': [MERGING_LABEL],
  });
  await d.execute('bd comment', { id: mr.bead_id, text: `Merge ${mr.id} needs rework: ${why}` });
  await d.execute('gt sling', { id: mr.bead_id });
  return moved;
}

/** Attempts at landing this bead's work: every rework round is a new MR, so they add up. */
async function attemptsOf(mr: MergeRequest, ledger: Ledger): Promise<number> {
  if (!mr.bead_id) return mr.attempts;
  const all = await ledger.listMergeRequests({ bead: mr.bead_id });
  return all.reduce((n, m) => n + (m.id === mr.id ? 0 : m.attempts), mr.attempts);
}

interface HoldOptions {
  gates?: GateResult[];
  /** The tree passed its gates (git refused the landing): a retry need not run them again. */
  verifiedTree?: string | null;
  /** Whether a person may land it without passing gates (`mq:override`) is one of the choices. */
  landAnyway?: boolean;
}

async function hold(mr: MergeRequest, why: string, d: OutcomeDeps, o: HoldOptions = {}) {
  const held = await move(d, mr, {
    status: 'held',
    reason: why,
    gates: o.gates ?? mr.gates,
    // A land-anyway decision was for the attempt that just ended: the next needs a new one.
    override: null,
    ...(o.verifiedTree !== undefined && { verified_tree: o.verifiedTree }),
  });
  if (!held) return null;
  const propose = [
    'merge:retry',
    'merge:rework',
    'merge:reject',
    ...(o.landAnyway ? ['merge:land-anyway'] : []),
  ];
  await d.execute('gt escalate', {
    summary: `merge of ${mr.bead_id ?? mr.branch} held: ${why.split('\n')[0]}`.slice(0, 200),
    severity: 'high',
    kind: 'merge-failed',
    message: `${mr.id} (${mr.branch} at ${mr.sha}) → ${mr.target}: ${why}\n\nDecide here, or with gt mq retry ${mr.id} / gt mq reject ${mr.id} -r REASON.`,
    ...(mr.bead_id && { bead: mr.bead_id, propose }),
    ...(mr.polecat && { agent: mr.polecat }),
  });
  return held;
}
