import { homeRigOf, rigOfAgent } from '../../domain/agent-address.ts';
import type { Scope } from '../../domain/authorization.ts';
import { escalationView } from '../../domain/escalation.ts';
import { parseResolution } from '../../domain/resolution.ts';
import { parseRigName } from '../../domain/rig.ts';
import { parseId } from '../../domain/validation.ts';
import { optString, reqString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { reportOwner } from '../gt/usage-report.ts';
import { approvalScope } from './approval-scopes.ts';
import { convoyAddScope, convoyCreateScope, convoyInputScope, oneConvoyScope } from './convoy-scopes.ts';
import { createGraphScope } from './create-graph-scope.ts';
import { inboxScope, messageScope, sendScope, threadScope } from './mail-scopes.ts';
import { planDecisionScope, planRequestScope } from './plan-scopes.ts';
import {
  agentArg,
  beadsNamed,
  callerAgent,
  forAgent,
  notOwnBeads,
  type Resolver,
  rigsOf,
  unique,
} from './scope-facts.ts';

/**
 * What each verb touches, for the access matrix (domain/access-matrix.ts) to decide on: the rigs
 * of every object it reads or changes — including a reassignment's target — and, for an agent,
 * whether those objects are its own work. Verbs without a resolver need their permission in
 * some rig (`'any'`): reads, which are town-wide (docs/security.md says why).
 */
const ownBeads =
  (...names: string[]): Resolver =>
  async ({ args, ledger, who }) => {
    const beads = await beadsNamed(ledger, args, ...names);
    return { rigs: rigsOf(beads), notOwn: notOwnBeads(beads, who) };
  };

const createScope: Resolver = async ({ args, ledger, actor, who }) => {
  const rawParent = optString(args, 'parent');
  const parent =
    rawParent === undefined ? null : await ledger.getBead(await resolveBeadRef(ledger, rawParent));
  const rawRig = optString(args, 'rig');
  const rig = rawRig !== undefined ? parseRigName(rawRig) : (parent?.rig ?? homeRigOf(actor));
  const rigs = unique([rig, parent?.rig]);
  const agent = callerAgent(who);
  const elsewhere = agent && (rigs.length === 0 || rigs.some((r) => r !== agent.rig));
  return {
    rigs,
    notOwn: elsewhere ? `it may create beads only in its own rig (${agent.rig ?? 'none'})` : null,
  };
};

/** `bd create --graph`: the rigs of every node (create-graph-scope.ts); else one bead's. */
const createOrGraphScope: Resolver = (input) =>
  input.args.graph === undefined ? createScope(input) : createGraphScope(input);

const updateScope: Resolver = async (input) => {
  const scope = await ownBeads('id')(input);
  const assignee = optString(input.args, 'assignee');
  const target = assignee ? rigOfAgent(assignee) : null;
  const agent = callerAgent(input.who);
  const reassigns = agent && assignee !== undefined && assignee !== agent.address;
  return {
    rigs: unique([...(scope.rigs as string[]), target]),
    notOwn: reassigns ? 'agents may not assign beads to others' : scope.notOwn,
  };
};

/** Comments are how agents talk about work: any bead of its own rig, or its own bead anywhere. */
const commentScope: Resolver = async (input) => {
  const scope = await ownBeads('id')(input);
  const agent = callerAgent(input.who);
  const inOwnRig = agent && (scope.rigs as string[]).every((r) => r === agent.rig);
  return inOwnRig ? { ...scope, notOwn: null } : scope;
};

/** `bd dep add|remove <issue> <depends-on>`: both rigs; an agent's own `issue`. */
const depScope: Resolver = async (input) => {
  const issue = await ownBeads('issue')(input);
  const target = await beadsNamed(input.ledger, input.args, 'depends-on');
  return { rigs: unique([...(issue.rigs as string[]), ...rigsOf(target)]), notOwn: issue.notOwn ?? null };
};

const slingScope: Resolver = async ({ args, ledger }) => {
  const rig = optString(args, 'rig');
  return { rigs: unique([...rigsOf(await beadsNamed(ledger, args, 'id')), rig && parseRigName(rig)]) };
};

const forAgentArg =
  (name = 'agent'): Resolver =>
  async ({ args, actor, who }) =>
    forAgent(agentArg(args, actor, name), who);

const escalateScope: Resolver = async ({ args, ledger, actor, who }) => {
  const agent = optString(args, 'agent');
  const own = agent === undefined ? { rigs: [], notOwn: null } : forAgent(agentArg(args, actor), who);
  const beads = await beadsNamed(ledger, args, 'bead');
  const rigs = unique([...(own.rigs as string[]), ...rigsOf(beads)]);
  return { rigs: rigs.length ? rigs : 'any', notOwn: own.notOwn };
};

/** An escalation's rig (its bead's, else its agent's), a reassignment's target, and its severity. */
const escalationScope: Resolver = async ({ args, ledger }) => {
  const e = await ledger.getBead(parseId(reqString(args, 'id')));
  if (e?.issue_type !== 'escalation') return { rigs: 'any' };
  const v = escalationView(e);
  const bead = v.bead_id ? await ledger.getBead(v.bead_id) : null;
  const action = optString(args, 'action');
  const resolution = action === undefined ? null : parseResolution(action);
  const target = resolution?.type === 'reassign' ? resolution.rig : null;
  const rig = bead?.rig ?? (v.agent ? rigOfAgent(v.agent) : null);
  const landsAnyway = resolution?.type === 'merge' && resolution.step === 'land-anyway';
  return {
    rigs: unique([rig, target]),
    critical: v.severity === 'critical',
    ...(landsAnyway && { alsoNeeds: 'mq:override' as const }),
  };
};

/** `gt mq submit`: the rig whose queue (`--rig`, else the bead's). */
const mqSubmitScope: Resolver = async ({ args, ledger }) => {
  const rig = optString(args, 'rig');
  const beads = await beadsNamed(ledger, args, 'bead');
  return { rigs: unique([rig && parseRigName(rig), ...rigsOf(beads)]) };
};

/** A decision on a merge request: its rig. */
const mqScope: Resolver = async ({ args, ledger }) => {
  const mr = await ledger.getMergeRequest(reqString(args, 'mr').trim());
  return { rigs: mr ? [mr.rig] : 'any' };
};

/** `gt formula run`: the rig its beads go to (`--rig`, else the only one); `--launch` needs convoy:launch too. */
const formulaRunScope: Resolver = async ({ args, ledger }) => {
  const raw = optString(args, 'rig');
  const rigs = raw !== undefined ? [parseRigName(raw)] : (await ledger.listRigs()).map((r) => r.name);
  return {
    rigs: rigs.length === 1 ? rigs : [],
    ...(args.launch === true && { alsoNeeds: 'convoy:launch' as const }),
  };
};

/** An epic's integration branch: the epic's rig. */
const epicScope: Resolver = async ({ args, ledger }) => {
  const epic = await ledger.getBead(parseId(reqString(args, 'epic')));
  return { rigs: epic?.rig ? [epic.rig] : 'any' };
};

/** `gt usage report`: the rig named, the bead's and the polecat's: a runner reports only for its own. */
const usageReportScope: Resolver = async ({ args, ledger }) => {
  const { rig, agent } = reportOwner(args);
  return { rigs: unique([rig, rigOfAgent(agent), ...rigsOf(await beadsNamed(ledger, args, 'bead'))]) };
};

/** `gt polecat limited <agent> --bead B`: the polecat's rig and the bead's: a runner reports only its own. */
const limitedScope: Resolver = async ({ args, ledger }) => ({
  rigs: unique([rigOfAgent(reqString(args, 'agent')), ...rigsOf(await beadsNamed(ledger, args, 'bead'))]),
});

const rigArg: Resolver = async ({ args }) => ({ rigs: [parseRigName(reqString(args, 'name'))] });
/** `gt mq freeze|thaw <rig>`: the rig whose queue; `gt approval revoke <rig> <n>`: the rig whose allow-list. */
const rigPositional: Resolver = async ({ args }) => ({ rigs: [parseRigName(reqString(args, 'rig'))] });
const townLevel: Resolver = async () => ({ rigs: [] });

const SCOPES: Readonly<Record<string, Resolver>> = {
  'bd create': createOrGraphScope,
  'bd update': updateScope,
  'bd close': ownBeads('ids'),
  'bd reopen': ownBeads('ids'),
  'bd label add': ownBeads('id'),
  'bd label remove': ownBeads('id'),
  'bd comment': commentScope,
  'bd dep add': depScope,
  'bd dep remove': depScope,
  'bd import': townLevel,
  'gt rig add': townLevel,
  'gt rig park': rigArg,
  'gt rig unpark': rigArg,
  'gt rig set': rigArg,
  'gt rig resume': rigArg,
  'gt convoy create': convoyCreateScope,
  'gt convoy stage': convoyInputScope,
  'gt convoy launch': convoyInputScope,
  'gt convoy add': convoyAddScope,
  'gt convoy close': oneConvoyScope,
  'gt convoy land': oneConvoyScope,
  'gt convoy check': oneConvoyScope,
  'gt convoy budget': oneConvoyScope,
  'gt sling': slingScope,
  'gt hook': forAgentArg(),
  'gt done': forAgentArg(),
  'gt heartbeat': forAgentArg(),
  'gt polecat respawn': forAgentArg(),
  'gt polecat stop': forAgentArg(),
  'gt polecat release': forAgentArg(),
  'gt polecat limited': limitedScope,
  'gt escalate': escalateScope,
  'gt escalation ack': escalationScope,
  'gt escalation resolve': escalationScope,
  'gt escalation retire': escalationScope,
  'gt mail send': sendScope,
  'gt nudge': sendScope,
  'gt mail inbox': inboxScope,
  'gt mail read': messageScope('party'),
  'gt mail ack': messageScope('recipient'),
  'gt mail archive': messageScope('recipient'),
  'gt mail thread': threadScope,
  'gt mq submit': mqSubmitScope,
  'gt mq retry': mqScope,
  'gt mq hold': mqScope,
  'gt mq release': mqScope,
  'gt mq reject': mqScope,
  'gt mq rework': mqScope,
  'gt mq freeze': rigPositional,
  'gt mq thaw': rigPositional,
  'gt mq land-anyway': mqScope,
  'gt mq integration': epicScope,
  'gt formula run': formulaRunScope,
  'gt gate approve': ownBeads('id'),
  'gt approval request': ownBeads('bead'),
  'gt approval wait': approvalScope,
  'gt approval expire': approvalScope,
  'gt approval allow': approvalScope,
  'gt approval deny': approvalScope,
  'gt approval revoke': rigPositional,
  'gt plan': planRequestScope,
  'gt plan launch': planDecisionScope,
  'gt plan revise': planDecisionScope,
  'gt plan discard': planDecisionScope,
  'gt plan stop': planDecisionScope,
  'gt mayor config': townLevel,
  'gt usage report': usageReportScope,
};

/** No resolver: the permission in some rig; and never an agent's own work (fail closed). */
const ANYWHERE: Scope = { rigs: 'any' };

export const hasScopeResolver = (verb: string): boolean => Object.hasOwn(SCOPES, verb);

export const scopeResolver = (verb: string): Resolver =>
  hasScopeResolver(verb) ? (SCOPES[verb] as Resolver) : async () => ANYWHERE;
