import type { ApprovalRule } from './approval-rules.ts';
import { usageError } from './errors.ts';
import { TOWN_PREFIX } from './ids.ts';
import { defaultMergePolicy, type MergePolicy } from './merge-policy.ts';
import { presetFor, presetNames } from './runtimes/index.ts';
import type { UsageLimit } from './usage-limit.ts';

/** A rig: one project repository with its own bead prefix and pool of polecats. */
export interface Rig {
  name: string;
  prefix: string;
  repo: string | null;
  max_polecats: number;
  /** A runtime preset (domain/runtimes/, e.g. `claude`) or null when `command` is given. */
  runtime: string | null;
  command: string | null;
  /** Variables of the runner's environment its polecats may see (`--env`; see polecat-env.ts). */
  env: string[];
  /** How its polecats' work lands (merge-policy.ts). */
  merge_policy: MergePolicy;
  parked: boolean;
  /** Who froze the rig's merge queue, when and why; null while it lands work as usual. */
  mq_frozen: MqFreeze | null;
  /** Agent tool calls a person said may always run here (approval-rules.ts); [] by default. */
  approval_rules: ApprovalRule[];
  /** The agent account its polecats spend, shared with the rigs naming the same one (usage-limit-account.ts); null: its own. */
  account: string | null;
  /** Its usage-limit pause, held or (lifted_at set) remembered for the next backoff (usage-limit.ts); null: none. */
  usage_limit: UsageLimit | null;
  created_at: string;
  version: number;
}

/**
 * A frozen merge queue (`gt mq freeze`): for a release, a broken main, an incident — the time
 * when nothing may land on the rig's target. Verification may go on (the queue stays warm),
 * but nothing lands until someone thaws it (`gt mq thaw`). Who froze it, when and why is shown
 * everywhere the queue is shown.
 */
export interface MqFreeze {
  /** The actor who froze it. */
  by: string;
  /** Why, as given (`-r`); '' when none was. */
  reason: string;
  /** ISO time of the freeze. */
  at: string;
}

export interface NewRig {
  name: string;
  prefix: string;
  repo?: string | null;
  max_polecats?: number;
  runtime?: string | null;
  command?: string | null;
  env?: string[];
  merge_policy?: Partial<MergePolicy>;
}

export const DEFAULT_MAX_POLECATS = 10;

/** Rig names become NATS subject tokens (`gt.dispatch.<rig>`): no dots, spaces or wildcards. */
const RIG_NAME = /^[a-z][a-z0-9_-]{0,39}$/;
/** Upstream's prefix rule (beads.md §7.1), lower-cased so ids stay case-insensitive. */
const RIG_PREFIX = /^[a-z][a-z0-9]{0,19}$/;

export function parseRigName(raw: unknown): string {
  if (typeof raw !== 'string' || !RIG_NAME.test(raw)) {
    throw usageError(
      'invalid_rig_name',
      `rig name ${JSON.stringify(raw)} is invalid; use lower-case letters, digits, - or _ (starting with a letter, at most 40)`,
    );
  }
  return raw;
}

export function parseRigPrefix(raw: unknown): string {
  const prefix = typeof raw === 'string' ? raw.replace(/-$/, '').toLowerCase() : '';
  if (!RIG_PREFIX.test(prefix)) {
    throw usageError(
      'invalid_prefix',
      `prefix ${JSON.stringify(raw)} is invalid; use 1-20 letters or digits starting with a letter, e.g. --prefix gt`,
    );
  }
  if (prefix === TOWN_PREFIX) {
    throw usageError(
      'reserved_prefix',
      `prefix "${TOWN_PREFIX}" is reserved for town-level beads; choose another`,
    );
  }
  return prefix;
}

/** `--runtime`: one of the presets; any other agent runs with `--command`. */
export function parseRuntime(raw: string): string {
  if (presetFor(raw)) return raw;
  throw usageError(
    'unknown_runtime',
    `unknown runtime ${JSON.stringify(raw)}; use --runtime ${presetNames().join('|')}, or --command "<shell command>" for any other agent`,
  );
}

export function parseMaxPolecats(raw: unknown): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) {
    throw usageError(
      'invalid_max_polecats',
      `--max-polecats ${JSON.stringify(raw)} must be a whole number from 1 to 1000`,
    );
  }
  return n;
}

/** A new rig record with its defaults; both ledgers store exactly this. */
export function buildRig(input: NewRig, now: string): Rig {
  return {
    name: input.name,
    prefix: input.prefix,
    repo: input.repo ?? null,
    max_polecats: input.max_polecats ?? DEFAULT_MAX_POLECATS,
    runtime: input.runtime ?? null,
    command: input.command ?? null,
    env: input.env ?? [],
    merge_policy: { ...defaultMergePolicy(Boolean(input.repo)), ...input.merge_policy },
    parked: false,
    mq_frozen: null,
    approval_rules: [],
    account: null,
    usage_limit: null,
    created_at: now,
    version: 1,
  };
}

/**
 * The merge policy of a rig stored before rigs had one: `local`, what it did then (its beads
 * closed at `gt done`), so an upgrade does not start holding every bead of an existing rig.
 */
export const LEGACY_MERGE_POLICY: MergePolicy = { ...defaultMergePolicy(false), merge: 'local' };

/** The longest freeze reason kept: it is shown on one line wherever the queue is. */
export const MAX_FREEZE_REASON = 500;

/** A freeze by `by` at `now`, for `reason` (kept on one line; may be empty). */
export function buildFreeze(by: string, reason: string | undefined, now: string): MqFreeze {
  const why = (reason ?? '').replace(/\s+/g, ' ').trim();
  if (why.length > MAX_FREEZE_REASON) {
    throw usageError(
      'reason_too_long',
      `the reason is ${why.length} characters; keep it to ${MAX_FREEZE_REASON} (it is shown on one line wherever the queue is)`,
    );
  }
  return { by, reason: why, at: now };
}

/** `frozen by alice 2026-11-22T12:00:00.000Z: release 2.0` (one line, shown wherever the queue is). */
export const describeFreeze = (f: MqFreeze): string =>
  `frozen by ${f.by} ${f.at}: ${f.reason || 'no reason given'}`;
