import type { ApprovalRule } from '../../domain/approval-rules.ts';
import type { Bead, IssueType, Priority, Status } from '../../domain/bead.ts';
import type { Dependency, DepType, WaitsForGate } from '../../domain/dependency.ts';
import type { MergePolicy } from '../../domain/merge-policy.ts';
import type { GateResult, MergeOverride, MergeRequest, MrStatus } from '../../domain/merge-request.ts';
import { LEGACY_MERGE_POLICY, type MqFreeze, type Rig } from '../../domain/rig.ts';
import type { UsageLimit } from '../../domain/usage-limit.ts';
import type { AuditRecord, LedgerEvent, LedgerEventType } from '../port.ts';

/** Row ↔ record mapping. node:sqlite returns plain objects with SQL types; this is the only place that knows. */

type Row = Record<string, unknown>;
const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function beadFromRow(r: Row): Bead {
  return {
    id: str(r.id),
    title: str(r.title),
    description: str(r.description),
    acceptance_criteria: str(r.acceptance_criteria ?? ''),
    status: str(r.status) as Status,
    priority: Number(r.priority) as Priority,
    issue_type: str(r.issue_type) as IssueType,
    assignee: strOrNull(r.assignee),
    labels: JSON.parse(str(r.labels)) as string[],
    parent: strOrNull(r.parent),
    rig: strOrNull(r.rig),
    created_at: str(r.created_at),
    created_by: str(r.created_by),
    updated_at: str(r.updated_at),
    closed_at: strOrNull(r.closed_at),
    close_reason: str(r.close_reason),
    is_blocked: Number(r.is_blocked) === 1,
    version: Number(r.version),
  };
}

/** Named parameters for INSERT/UPDATE of a bead (`$id`, `$title`, …). */
export function beadParams(b: Bead, prefix: string): Record<string, string | number | null> {
  return {
    id: b.id,
    prefix,
    title: b.title,
    description: b.description,
    acceptance_criteria: b.acceptance_criteria,
    status: b.status,
    priority: b.priority,
    issue_type: b.issue_type,
    assignee: b.assignee,
    labels: JSON.stringify(b.labels),
    parent: b.parent,
    rig: b.rig,
    created_at: b.created_at,
    created_by: b.created_by,
    updated_at: b.updated_at,
    closed_at: b.closed_at,
    close_reason: b.close_reason,
    is_blocked: b.is_blocked ? 1 : 0,
    version: b.version,
  };
}

export function depFromRow(r: Row): Dependency {
  const dep: Dependency = {
    issue_id: str(r.issue_id),
    depends_on_id: str(r.depends_on_id),
    type: str(r.type) as DepType,
    created_at: str(r.created_at),
    created_by: str(r.created_by),
  };
  if (r.gate) dep.gate = str(r.gate) as WaitsForGate;
  return dep;
}

export function rigFromRow(r: Row): Rig {
  return {
    name: str(r.name),
    prefix: str(r.prefix),
    repo: strOrNull(r.repo),
    max_polecats: Number(r.max_polecats),
    runtime: strOrNull(r.runtime),
    command: strOrNull(r.command),
    env: JSON.parse(str(r.env ?? '[]')) as string[],
    merge_policy:
      r.merge_policy === null || r.merge_policy === undefined
        ? { ...LEGACY_MERGE_POLICY }
        : (JSON.parse(str(r.merge_policy)) as MergePolicy),
    parked: Number(r.parked) === 1,
    mq_frozen: r.mq_frozen ? (JSON.parse(str(r.mq_frozen)) as MqFreeze) : null,
    approval_rules: r.approval_rules ? (JSON.parse(str(r.approval_rules)) as ApprovalRule[]) : [],
    account: strOrNull(r.account),
    usage_limit: r.usage_limit ? (JSON.parse(str(r.usage_limit)) as UsageLimit) : null,
    created_at: str(r.created_at),
    version: Number(r.version),
  };
}

export function mergeRequestFromRow(r: Row): MergeRequest {
  return {
    id: str(r.id),
    rig: str(r.rig),
    bead_id: strOrNull(r.bead_id),
    polecat: strOrNull(r.polecat),
    branch: str(r.branch),
    sha: str(r.sha),
    target: str(r.target),
    priority: Number(r.priority),
    status: str(r.status) as MrStatus,
    attempts: Number(r.attempts),
    gates: JSON.parse(str(r.gates)) as GateResult[],
    reason: str(r.reason),
    merge_commit: strOrNull(r.merge_commit),
    submitted_by: str(r.submitted_by),
    created_at: str(r.created_at),
    updated_at: str(r.updated_at),
    merged_at: strOrNull(r.merged_at),
    verified_tree: strOrNull(r.verified_tree),
    override: r.override ? (JSON.parse(str(r.override)) as MergeOverride) : null,
    version: Number(r.version),
  };
}

/** Named parameters for INSERT/UPDATE of a merge request (`$id`, `$gates`, …). */
export function mergeRequestParams(mr: MergeRequest, lane: string): Record<string, string | number | null> {
  return {
    ...mr,
    gates: JSON.stringify(mr.gates),
    override: mr.override ? JSON.stringify(mr.override) : null,
    lane,
  };
}

export function eventFromRow(r: Row): LedgerEvent {
  return {
    seq: Number(r.seq),
    type: str(r.type) as LedgerEventType,
    bead_id: strOrNull(r.bead_id),
    rig: strOrNull(r.rig),
    actor: str(r.actor),
    at: str(r.at),
    data: JSON.parse(str(r.data)) as Record<string, unknown>,
  };
}

export function auditFromRow(r: Row): AuditRecord {
  const record: AuditRecord = {
    at: str(r.at),
    actor: str(r.actor),
    actor_kind: str(r.actor_kind) as AuditRecord['actor_kind'],
    source: str(r.source),
    verb: str(r.verb),
    args: JSON.parse(str(r.args)) as Record<string, unknown>,
    outcome: str(r.outcome) as AuditRecord['outcome'],
  };
  if (r.message !== null && r.message !== undefined) record.message = str(r.message);
  return record;
}
