import type { Actor } from '../domain/actor.ts';
import type { ApprovalOutcome } from '../domain/approval.ts';
import type { BudgetDefaults } from '../domain/budget-default.ts';
import type { Formula } from '../domain/formula/index.ts';
import type { GateResult } from '../domain/merge-request.ts';
import type { Nudge } from '../domain/nudge.ts';
import type { Permission } from '../domain/permissions.ts';
import type { Policy } from '../domain/policy.ts';
import type { Source } from '../domain/reply.ts';
import type { Rig } from '../domain/rig.ts';
import type { Pricer, UsageRecord } from '../domain/usage.ts';
import type { Signals } from '../domain/witness.ts';
import type { Ledger, WriteContext } from '../ledger/port.ts';
import type { Args, Syntax } from './syntax.ts';

/** Live delivery ports the command layer uses; the composition root binds them to NATS. */
export interface LiveDelivery {
  /** True when the agent received the nudge now; false when it is offline. */
  nudge(nudge: Nudge): Promise<boolean>;
  /** Keeps the latest heartbeat of an agent (for the witness). */
  heartbeat(agent: string, beat: { at: string; activity: string }): Promise<void>;
  /** The witness's live signals about an agent: the runner's process report and the last heartbeat. */
  observe(agent: string): Promise<Pick<Signals, 'process' | 'heartbeatAt'>>;
  /** Tells the runners of the agent's rig to stop its process working on `bead` (if one runs it). */
  stop(agent: string, bead: string): Promise<void>;
}

/**
 * What the command layer may ask of a rig's git repository (the composition root binds it to
 * src/git): facts for `gt done` and `gt mq submit`, never a change.
 */
export interface RepoFacts {
  isRepo(path: string): Promise<boolean>;
  /** The commit `branch` points at, as the refinery will read it (after a fetch when the repo has a remote); null when missing. */
  branchHead(repo: string, branch: string): Promise<string | null>;
  /** The branch the repository's HEAD names: where work lands. */
  defaultBranch(repo: string): Promise<string>;
  /** How many commits of `sha` are not on `target`. */
  commitsBeyond(repo: string, target: string, sha: string): Promise<number>;
  /** Creates `branch` at `from`'s tip (on the remote too, when there is one); false when it exists already. */
  createBranch(repo: string, branch: string, from: string): Promise<boolean>;
}

/** Finished work to land at once, in the request that finishes it (strategy `direct`). */
export interface DirectWork {
  branch: string;
  /** The commit checked at submission: only this is verified and landed. */
  sha: string;
  target: string;
  bead_id: string | null;
}

export type DirectLanding =
  | { landed: true; commit: string; gates: GateResult[] }
  /** `code`: a refusal code (`merge_conflict`, `gates_failed`, …); `why`: the evidence. */
  | { landed: false; code: string; why: string };

/** The rigs' landings outside the queue: the same verification, the same compare-and-swap on the target. */
export interface Landings {
  landNow(rig: Rig, work: DirectWork): Promise<DirectLanding>;
}

/** One formula file on the search path, parsed (or why it does not parse). */
export interface FormulaEntry {
  name: string;
  path: string;
  /** `town`, `rig <name>` or `built-in`. */
  source: string;
  /** sha256 of the file's text: which version of the file a run cooked. */
  hash: string;
  formula: Formula | null;
  warnings: string[];
  error: string | null;
}

/** The formula files a town can run (app/formula-files.ts reads them from disk). */
export interface FormulaCatalog {
  list(): Promise<FormulaEntry[]>;
  /** The entry of that name (null: none), every name (for suggestions), and a resolver for `extends`. */
  load(name: string): Promise<{
    entry: FormulaEntry | null;
    names: string[];
    resolve: (name: string) => Formula | null;
  }>;
}

/** What handlers may use. The composition root builds it; tests can build it over any Ledger. */
export interface CommandServices {
  ledger: Ledger;
  now: () => Date;
  /** Absent (unit tests, offline): nudges are queued, heartbeats only drain the queue. */
  live?: LiveDelivery;
  /** Absent: rigs cannot submit to a merge queue (their work stays on its branch). */
  repos?: RepoFacts;
  /** The merge queues' settings commands show them by (GT_MQ_MAX_WAIT); absent: the defaults. */
  mergeQueue?: { maxWaitMs: number };
  /** GT_DEFAULT_BUDGET_USD: the budget of a convoy created or staged without --budget; absent: none. */
  budgetDefaults?: BudgetDefaults;
  /** Formula files on the search path (`gt formula …`). */
  formulas?: FormulaCatalog;
  /** Lands `direct` work in `gt done` (absent until the merge queues start: refused meanwhile). */
  landings?: Landings | undefined;
  /** Operational log lines (pino in the service). */
  log?: { warn(obj: object, msg: string): void };
  /** The policy file (roles and who holds them); absent: the built-in default (EMPTY_POLICY). */
  policy?: Policy;
  /** Told every command's outcome (metrics). */
  observe?: (verb: string, outcome: 'ok' | 'refused' | 'error', source: Source, seconds: number) => void;
  /** Prices tokens an agent's CLI reported no dollars for (config/prices.json); absent: unpriced. */
  price?: Pricer;
  /** Told every usage record stored (the cost and token metrics). */
  onUsage?: (record: UsageRecord) => void;
  /** Told how each agent permission request ended (metrics: gt_agent_approvals_total). */
  onApproval?: (outcome: ApprovalOutcome) => void;
  /** After a successful write (the verb says which): wake the relay, refresh what depends on it. */
  onWrite?: (verb: string) => void | Promise<void>;
}

export interface CommandContext {
  actor: Actor;
  /** How the command arrived (for the audit). */
  source: Source;
  services: CommandServices;
  /** Whether the caller holds `permission` somewhere (handlers that show more to some, e.g. mail admins). */
  may(permission: Permission): boolean;
  /** The caller's own mail addresses (a chat user's account and the names the policy gives it). */
  mailAddresses: readonly string[];
  /** A WriteContext stamped with the actor and the current time. */
  write(): WriteContext;
}

/**
 * A handler's answer. `errors` carries per-item refusals of a partly successful multi-id command
 * (`bd close a b` where b is blocked): printed on stderr, exit 0 unless nothing succeeded.
 */
export interface CommandResult<T> {
  data: T;
  errors?: string[];
}

/**
 * One verb of the command surface: its words, what it does, how it reads. Who may run it is the
 * access matrix's business (domain/access-matrix.ts), not the verb's.
 */
export interface CommandDef<T = unknown> {
  path: readonly string[];
  summary: string;
  usage: string;
  syntax: Syntax;
  /** Mutating commands write an audit record, whatever the outcome. */
  mutates: boolean;
  /** Arguments kept out of the audit trail (mail bodies are for their sender and recipients only). */
  unaudited?: readonly string[];
  run(args: Args, ctx: CommandContext): Promise<CommandResult<T>>;
  /** Terminal rendering of `data`; `--json` prints `data` itself. */
  text(data: T): string;
}

export const defineCommand = <T>(def: CommandDef<T>): CommandDef<T> => def;

export const verbName = (def: Pick<CommandDef, 'path'>): string => def.path.join(' ');
