import { APPROVAL_LABEL, approvalFacts, isApproval, isOverdue } from '../domain/approval.ts';
import type { Bead } from '../domain/bead.ts';
import { escalationView } from '../domain/escalation.ts';
import { type HookBead, signalsFor } from '../domain/polecat-signals.ts';
import type { Rig } from '../domain/rig.ts';
import { polecatAddress, polecatNames } from '../domain/sling.ts';
import { type Assessment, assess, type Signals, type Thresholds, type Verdict } from '../domain/witness.ts';
import { decideAction, type StallMemory, type WitnessAction } from '../domain/witness-policy.ts';
import type { Ledger } from '../ledger/port.ts';
import type { Execute } from './stranded-scan.ts';

export interface WitnessDeps {
  ledger: Ledger;
  execute: Execute;
  observe: (agent: string) => Pick<Signals, 'process' | 'heartbeatAt'>;
  thresholds: Thresholds;
  /** How long a nudged, still-stalled polecat gets before the escalation (one witness interval). */
  escalateAfterMs: number;
  /** Nudges sent, per `agent@bead`: kept by the witness between passes. */
  memory: Map<string, StallMemory>;
}

export interface WitnessSummary {
  checked: number;
  verdicts: Record<Verdict, number>;
  actions: Array<{ agent: string; bead: string; action: WitnessAction; why: string }>;
  retired: string[];
  /** `agent@bead` of polecats waiting for a person's answer to a permission request. */
  waiting: string[];
  /** Permission requests closed as unanswered: their agent stopped waiting without saying so. */
  expired: string[];
}

interface Judged {
  rig: Rig;
  address: string;
  bead: HookBead | null;
  assessment: Assessment;
  /** Polecat names of the rig holding no slot now: candidates for a reassignment proposal. */
  free: readonly string[];
}

/** Escalation kinds about one agent on one bead, which retire when that agent is well again. */
const AGENT_KINDS = new Set(['stuck-agent', 'crash-loop', 'dead-agent']);

/**
 * One witness pass (issue 5 item 4): judge every polecat holding a slot, act on what is
 * actionable through the command layer, and retire escalations whose condition has cleared.
 * An agent or bead with an open escalation is left to the person deciding it: no second
 * nudge, stop or report while it is open.
 */
export async function witnessPass(d: WitnessDeps, now: Date): Promise<WitnessSummary> {
  const judged = await judgeAll(d, now);
  const open = await d.ledger.listBeads({ issue_type: 'escalation' });
  const escalated = new Set(
    open
      .map((e) => escalationView(e))
      .flatMap((v) => (AGENT_KINDS.has(v.kind) && v.bead_id ? [v.bead_id] : [])),
  );
  const { waiting, expired } = await waitingOnPeople(d, now);
  const summary: WitnessSummary = {
    checked: judged.length,
    verdicts: countVerdicts(judged),
    actions: [],
    retired: [],
    waiting: [...waiting],
    expired,
  };
  const live = new Set<string>();
  for (const j of judged) {
    if (!j.bead || j.assessment.verdict === 'idle') continue;
    const key = `${j.address}@${j.bead.id}`;
    live.add(key);
    // Waiting for a person is not stalling: the nudge clock starts over once it is answered.
    if (j.assessment.verdict === 'healthy' || waiting.has(key)) d.memory.delete(key);
    if (escalated.has(j.bead.id)) continue;
    const memory = d.memory.get(key) ?? { nudgedAt: null };
    const action = decideAction(j.assessment, memory, now, d.escalateAfterMs, waiting.has(key));
    if (action === 'none') continue;
    if (await act(d, j, action, memory, now))
      summary.actions.push({ agent: j.address, bead: j.bead.id, action, why: j.assessment.why });
    if (action === 'nudge') d.memory.set(key, { nudgedAt: now.toISOString() });
  }
  for (const key of d.memory.keys()) if (!live.has(key)) d.memory.delete(key);
  summary.retired = await retireCleared(d, open, judged);
  return summary;
}

/** How long past its deadline a request is left to its own agent, which closes it when it gives up. */
const EXPIRY_GRACE_MS = 60_000;

/**
 * The polecats waiting on a person (`agent@bead` of open permission requests), and the requests
 * no agent waits on any more — past their deadline and a grace, their agent gone without closing
 * them — closed now, so their cards stop offering buttons.
 */
async function waitingOnPeople(
  d: WitnessDeps,
  now: Date,
): Promise<{ waiting: Set<string>; expired: string[] }> {
  const waiting = new Set<string>();
  const expired: string[] = [];
  const graced = new Date(now.getTime() - EXPIRY_GRACE_MS);
  for (const b of await d.ledger.listBeads({ issue_type: 'decision', label: APPROVAL_LABEL })) {
    if (!isApproval(b)) continue;
    const f = approvalFacts(b);
    if (f.decision !== null) continue;
    if (!isOverdue(f, now)) waiting.add(`${f.agent}@${f.bead}`);
    else if (isOverdue(f, graced) && (await ok(d.execute('gt approval expire', { id: f.id }))))
      expired.push(f.id);
  }
  return { waiting, expired };
}

async function judgeAll(d: WitnessDeps, now: Date): Promise<Judged[]> {
  const rigs = new Map((await d.ledger.listRigs()).map((r) => [r.name, r]));
  const hooks = await d.ledger.listSlotHooks();
  const taken = new Map<string, Set<string>>();
  for (const h of hooks) taken.set(h.rig, (taken.get(h.rig) ?? new Set()).add(h.name));
  const freeNames = new Map<string, readonly string[]>();
  const freeIn = (rig: Rig): readonly string[] => {
    let free = freeNames.get(rig.name);
    if (!free) {
      const busy = taken.get(rig.name) ?? new Set();
      free = polecatNames(rig.max_polecats).filter((n) => !busy.has(n));
      freeNames.set(rig.name, free);
    }
    return free;
  };
  const judged: Judged[] = [];
  for (const slot of hooks) {
    const rig = rigs.get(slot.rig);
    if (!rig) continue;
    const address = polecatAddress(rig.name, slot.name);
    const observation = { now, address, slotTakenAt: slot.taken_at, bead: slot.bead, ...d.observe(address) };
    const assessment = assess(signalsFor(observation), d.thresholds);
    judged.push({ rig, address, bead: slot.bead, assessment, free: freeIn(rig) });
  }
  return judged;
}

function countVerdicts(judged: readonly Judged[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = {
    healthy: 0,
    idle: 0,
    stalled: 0,
    zombie: 0,
    'crash-loop': 0,
    'usage-limited': 0,
  };
  for (const j of judged) counts[j.assessment.verdict]++;
  return counts;
}

async function act(
  d: WitnessDeps,
  j: Judged,
  action: WitnessAction,
  m: StallMemory,
  now: Date,
): Promise<boolean> {
  const bead = (j.bead as HookBead).id;
  const { why } = j.assessment;
  switch (action) {
    case 'nudge':
      return ok(
        d.execute('gt nudge', {
          to: j.address,
          message: `witness: no activity on ${bead} (${why}). Run gt heartbeat, or gt done --status escalated if you are stuck.`,
          urgent: true,
        }),
      );
    case 'respawn':
      return ok(d.execute('gt polecat respawn', { agent: j.address, reason: why }));
    case 'requeue-limited': {
      // Only when the runner's own call failed (it makes it before reporting the exit).
      const limit = j.assessment.limit as NonNullable<Assessment['limit']>;
      return ok(
        d.execute('gt polecat limited', {
          agent: j.address,
          bead,
          message: limit.message || 'usage limit (the agent gave no message)',
          ...(limit.reset_at && { 'reset-at': limit.reset_at }),
        }),
      );
    }
    case 'escalate-stalled':
      return ok(
        d.execute('gt escalate', {
          severity: 'medium',
          kind: 'stuck-agent',
          agent: j.address,
          bead,
          summary: `${j.address} is stalled on ${bead}`,
          message: `${why}; nudged ${Math.round((now.getTime() - Date.parse(m.nudgedAt as string)) / 1000)}s ago without an answer`,
          propose: [...reassignTo(j), 'reassign:queue', 'restart', 'acknowledge'],
        }),
      );
    case 'stop-and-escalate':
      await d.execute('gt polecat stop', { agent: j.address, reason: why });
      return ok(
        d.execute('gt escalate', {
          severity: 'high',
          kind: 'crash-loop',
          agent: j.address,
          bead,
          summary: `${j.address} keeps dying on ${bead}`,
          message: why,
          propose: [...reassignTo(j), 'reassign:queue', 'restart', 'acknowledge'],
        }),
      );
    default:
      return false;
  }
}

const ok = async (reply: ReturnType<Execute>): Promise<boolean> => (await reply).ok;

/** The proposal names a polecat of the same rig that holds no slot now, if there is one. */
const reassignTo = (j: Judged): string[] => (j.free[0] ? [`reassign:${j.rig.name}/${j.free[0]}`] : []);

/**
 * Self-retirement (issue 5 item 5): an escalation about an agent on a bead closes itself when
 * the bead left that agent's hook (closed, released, moved) or the agent is healthy again; one
 * about a bead alone closes when the bead closes. It says which.
 */
async function retireCleared(
  d: WitnessDeps,
  open: readonly Bead[],
  judged: readonly Judged[],
): Promise<string[]> {
  const byAgent = new Map(judged.map((j) => [j.address, j]));
  const retired: string[] = [];
  for (const e of open) {
    const v = escalationView(e);
    if (!v.bead_id || e.status !== 'open') continue;
    const why = await clearedBecause(d, v, byAgent);
    if (why && (await ok(d.execute('gt escalation retire', { id: e.id, why })))) retired.push(e.id);
  }
  return retired;
}

async function clearedBecause(
  d: WitnessDeps,
  v: ReturnType<typeof escalationView>,
  byAgent: ReadonlyMap<string, Judged>,
): Promise<string | null> {
  const bead = await d.ledger.getBead(v.bead_id as string);
  if (!bead) return `${v.bead_id} no longer exists`;
  if (!v.agent || !AGENT_KINDS.has(v.kind)) return bead.status === 'closed' ? `${bead.id} was closed` : null;
  const onHook = bead.assignee === v.agent && (bead.status === 'hooked' || bead.status === 'in_progress');
  if (!onHook)
    return `${bead.id} is no longer on ${v.agent}'s hook (${bead.status}${bead.assignee ? `, ${bead.assignee}` : ''})`;
  const j = byAgent.get(v.agent);
  // Recovered means activity seen, not the benefit of the doubt a fresh spawn gets.
  return j?.assessment.verdict === 'healthy' && !j.assessment.provisional
    ? `${v.agent} recovered: ${j.assessment.why}`
    : null;
}
