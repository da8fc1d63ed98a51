import type { Permission } from './permissions.ts';

/**
 * Who may run each verb: the one permission matrix of the town (docs/security.md prints it).
 * Every verb of the command catalog has a row, and every row says what each kind of actor may
 * do — a test fails when a verb is added without one.
 *
 *  - **person** (a chat user or a CLI operator): needs `permission` from a role, in every rig the
 *    command touches (the command layer works out the rigs; see commands/access/scopes.ts).
 *  - **agent** (a polecat, or any `<rig>/<name>` or `mayor/` identity):
 *      `allow` any agent; `own` only on its own work (its hook, its mail, its rig's new work —
 *      the command layer checks the objects) or where a role the policy file gives that agent
 *      grants `permission`; `grant` only where such a role grants it; `never` not even then —
 *      decisions that need a person.
 *  - **runner** (a rig runner): `allow`, `own-rig` (objects of its own rig only) or `never`.
 *  - **system** (the service's own jobs: feeder, stranded scan, witness, re-escalation): `allow`
 *    or `never`.
 */
export type AgentRule = 'allow' | 'own' | 'grant' | 'never';
export type RunnerRule = 'allow' | 'own-rig' | 'never';
export type SystemRule = 'allow' | 'never';

export interface VerbAccess {
  permission: Permission;
  /** A permission some uses of the verb need as well (the command layer's scope says which). */
  extra?: Permission;
  agent: AgentRule;
  runner: RunnerRule;
  system: SystemRule;
}

const look = { permission: 'read', agent: 'allow', runner: 'never', system: 'allow' } as const;
const ownBeadWork = { permission: 'bead:write', agent: 'own', runner: 'never', system: 'allow' } as const;
const convoyPlanning = {
  permission: 'convoy:create',
  agent: 'grant',
  runner: 'never',
  system: 'never',
} as const;
const convoyRunning = {
  permission: 'convoy:launch',
  agent: 'grant',
  runner: 'never',
  system: 'never',
} as const;
const ownMail = { permission: 'read', agent: 'own', runner: 'never', system: 'never' } as const;
const polecatControl = {
  permission: 'polecat:manage',
  agent: 'never',
  runner: 'never',
  system: 'allow',
} as const;
const mergeDecision = { permission: 'mq:write', agent: 'never', runner: 'never', system: 'never' } as const;
const townShape = { permission: 'admin', agent: 'never', runner: 'never', system: 'never' } as const;

export const ACCESS: Readonly<Record<string, VerbAccess>> = {
  'bd create': ownBeadWork,
  'bd show': look,
  'bd list': look,
  'bd update': ownBeadWork,
  'bd close': ownBeadWork,
  'bd reopen': ownBeadWork,
  'bd dep add': ownBeadWork,
  'bd dep remove': ownBeadWork,
  'bd dep tree': look,
  'bd dep cycles': look,
  'bd ready': look,
  'bd blocked': look,
  'bd comment': ownBeadWork,
  'bd label add': ownBeadWork,
  'bd label remove': ownBeadWork,
  // Writes many beads of many rigs at once, ids chosen by a file: a town administrator's move.
  'bd import': townShape,
  'bd export': look,

  'gt rig add': townShape,
  'gt rig list': { ...look, runner: 'allow' },
  'gt rig park': townShape,
  'gt rig unpark': townShape,
  'gt rig set': townShape,
  // Lifting a usage-limit pause early spends the account again: the town's call. The lift job
  // lifts due pauses itself.
  'gt rig resume': { ...townShape, system: 'allow' },

  'gt convoy create': convoyPlanning,
  'gt convoy add': convoyPlanning,
  'gt convoy stage': convoyPlanning,
  'gt convoy status': look,
  'gt convoy progress': look,
  'gt convoy list': look,
  'gt convoy stranded': look,
  'gt convoy launch': convoyRunning,
  'gt convoy close': convoyRunning,
  'gt convoy land': convoyRunning,
  // The feeder and the stranded scan land finished convoys through it.
  'gt convoy check': { ...convoyRunning, system: 'allow' },
  // Spending more, or stopping a convoy over its budget, is a person's decision in every rig it
  // tracks — never an agent's (not even the Mayor's), nor the service's own.
  'gt convoy budget': { permission: 'budget:extend', agent: 'never', runner: 'never', system: 'never' },

  'gt sling': { permission: 'sling', agent: 'grant', runner: 'never', system: 'allow' },
  'gt hook': { permission: 'read', agent: 'own', runner: 'own-rig', system: 'allow' },
  'gt done': { permission: 'bead:write', agent: 'own', runner: 'never', system: 'never' },
  // Reporting someone else's heartbeat would fake their liveness: people need admin for it.
  'gt heartbeat': { permission: 'admin', agent: 'own', runner: 'never', system: 'never' },
  'gt polecats': look,

  'gt mail send': { permission: 'mail:send', agent: 'own', runner: 'never', system: 'allow' },
  'gt mail inbox': ownMail,
  'gt mail read': ownMail,
  'gt mail ack': ownMail,
  'gt mail archive': ownMail,
  'gt mail thread': ownMail,
  'gt nudge': { permission: 'mail:send', agent: 'own', runner: 'never', system: 'allow' },

  'gt escalate': { permission: 'escalation:ack', agent: 'own', runner: 'never', system: 'allow' },
  'gt escalation list': look,
  'gt escalation ack': { permission: 'escalation:ack', agent: 'never', runner: 'never', system: 'never' },
  // Landing a held merge anyway (merge:land-anyway) needs mq:override as well.
  'gt escalation resolve': {
    permission: 'escalation:approve',
    extra: 'mq:override',
    agent: 'never',
    runner: 'never',
    system: 'never',
  },
  // The service retires what cleared by itself; a person with approve rights may too.
  'gt escalation retire': {
    permission: 'escalation:approve',
    agent: 'never',
    runner: 'never',
    system: 'allow',
  },
  'gt escalation reescalate': { permission: 'admin', agent: 'never', runner: 'never', system: 'allow' },

  'gt polecat respawn': polecatControl,
  'gt polecat stop': polecatControl,
  'gt polecat release': polecatControl,
  // The usage-limited verdict: a runner reports its own rig's polecat (it reads the agent's output);
  // the witness when that call failed. An agent never: it would pause its rig at will.
  'gt polecat limited': { ...polecatControl, runner: 'own-rig' },

  'gt mq list': look,
  'gt mq status': look,
  'gt mq submit': { permission: 'mq:write', agent: 'grant', runner: 'never', system: 'never' },
  'gt mq retry': mergeDecision,
  'gt mq hold': mergeDecision,
  'gt mq release': mergeDecision,
  'gt mq reject': mergeDecision,
  'gt mq rework': mergeDecision,
  // Stopping (and restarting) every landing of a rig is a person's call, not an agent's.
  'gt mq freeze': { permission: 'mq:freeze', agent: 'never', runner: 'never', system: 'never' },
  'gt mq thaw': { permission: 'mq:freeze', agent: 'never', runner: 'never', system: 'never' },
  'gt mq land-anyway': { permission: 'mq:override', agent: 'never', runner: 'never', system: 'never' },
  // The Mayor may plan an epic onto an integration branch when the policy file grants mq:write.
  'gt formula list': look,
  'gt formula show': look,
  // Planning: new beads and a staged convoy; --launch opens it (convoy:launch as well).
  'gt gate list': look,
  // A person's decision: never an agent's, whatever role the policy file gives it.
  'gt gate approve': { permission: 'gate:approve', agent: 'never', runner: 'never', system: 'never' },
  // Permission prompts of agent CLIs (docs/approvals.md). An agent asks about its own hooked bead
  // and waits on, or gives up, only its own requests; people have no use for asking (admin). The
  // service expires what nobody answered. Deciding is a person's, per rig — never an agent's.
  'gt approval request': { permission: 'admin', agent: 'own', runner: 'never', system: 'never' },
  'gt approval wait': { permission: 'read', agent: 'own', runner: 'never', system: 'never' },
  'gt approval expire': { permission: 'agent:approve', agent: 'own', runner: 'never', system: 'allow' },
  'gt approval list': look,
  'gt approval allow': { permission: 'agent:approve', agent: 'never', runner: 'never', system: 'never' },
  'gt approval deny': { permission: 'agent:approve', agent: 'never', runner: 'never', system: 'never' },
  // Whoever may approve in a rig may also withdraw an approval: take a rule off its allow-list.
  'gt approval revoke': { permission: 'agent:approve', agent: 'never', runner: 'never', system: 'never' },
  'gt formula run': {
    permission: 'convoy:create',
    extra: 'convoy:launch',
    agent: 'grant',
    runner: 'never',
    system: 'never',
  },
  'gt mq integration': { permission: 'mq:write', agent: 'grant', runner: 'never', system: 'never' },

  // Asking the Mayor for a plan is planning; an agent may when the policy file grants it.
  'gt plan': convoyPlanning,
  'gt plan show': look,
  // Approving a plan is a person's decision, never an agent's (the Mayor included).
  'gt plan launch': { permission: 'convoy:launch', agent: 'never', runner: 'never', system: 'never' },
  'gt plan revise': { permission: 'convoy:create', agent: 'never', runner: 'never', system: 'never' },
  'gt plan discard': { permission: 'convoy:create', agent: 'never', runner: 'never', system: 'never' },
  // The service stops a round whose Mayor exited without gt done or ran out of time.
  'gt plan stop': { permission: 'convoy:create', agent: 'never', runner: 'never', system: 'allow' },
  // What the Mayor runs (and which of the service's variables it sees) is the town's shape.
  'gt mayor config': townShape,

  'gt audit': { permission: 'audit:read', agent: 'never', runner: 'never', system: 'never' },

  // Usage is the runner's report of what its own rig's polecats spent (it reads their output);
  // an agent would report its own spend, so never. People never type it: admin, to backfill or
  // correct the ledger by hand, and the audit trail names them.
  'gt usage report': { permission: 'admin', agent: 'never', runner: 'own-rig', system: 'never' },
  // Spend is no secret within the town (reads are town-wide); an agent may see what work costs.
  'gt costs': look,
};

export const accessOf = (verb: string): VerbAccess | undefined =>
  Object.hasOwn(ACCESS, verb) ? ACCESS[verb] : undefined;
