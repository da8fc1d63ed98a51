import type { ImportedEdge } from './beads-jsonl.ts';
import { DEP_TYPES, type DepType, type WaitsForGate } from './dependency.ts';
import { usageError } from './errors.ts';

/**
 * Upstream's edge types (beads.md §3.2) onto ours. Ours are kept as they are; `relates-to` is
 * upstream's other spelling of `related`; every other type (replies-to, duplicates, supersedes,
 * merge-blocks, custom ones …) has no meaning here, so it becomes a non-blocking `related` edge
 * — the link stays visible — and a warning names it. Targets we cannot store (upstream's
 * `external:<project>:<capability>`, a bead pointing at itself) are listed in a warning.
 */

export interface FileEdge {
  id: string;
  target: string;
  type: string;
  metadata: unknown;
  created_at: string;
  created_by: string;
}

const TARGET = /^[a-z][a-z0-9-]{0,30}-[0-9a-z]{1,12}(\.[0-9]{1,6}){0,3}$/i;

export function mapEdge(edge: FileEdge, note: (what: string) => void): ImportedEdge[] {
  const { id, target, type } = edge;
  if (target === '')
    throw usageError('invalid_jsonl', 'a dependency has no depends_on_id; give the id it depends on');
  if (type.length > 50)
    throw usageError('invalid_jsonl', `dependency type ${type.slice(0, 50)}… exceeds 50 characters`);
  if (!TARGET.test(target)) {
    note(`${type} edge to ${target} not imported: only beads of this town can be depended on`);
    return [];
  }
  if (target.toLowerCase() === id) {
    note(`${type} edge to itself not imported: a bead cannot depend on itself`);
    return [];
  }
  const base = {
    depends_on_id: target.toLowerCase(),
    created_at: edge.created_at,
    created_by: edge.created_by,
  };
  if ((DEP_TYPES as readonly string[]).includes(type)) {
    const gate = type === 'waits-for' ? gateOf(edge.metadata) : undefined;
    return [{ ...base, type: type as DepType, ...(gate && { gate }) }];
  }
  if (type !== 'relates-to') note(`${type} edge to ${target} imported as related (we have no ${type} edges)`);
  return [{ ...base, type: 'related', file_type: type }];
}

/** A waits-for edge's gate from its metadata (`{"gate": "any-children"}`, object or JSON text). */
function gateOf(metadata: unknown): WaitsForGate | undefined {
  let m = metadata;
  if (typeof m === 'string' && m.trim() !== '') {
    try {
      m = JSON.parse(m);
    } catch {
      throw usageError('invalid_jsonl', 'a waits-for edge has metadata that is not JSON');
    }
  }
  const gate = typeof m === 'object' && m !== null ? (m as Record<string, unknown>).gate : undefined;
  if (gate === undefined || gate === 'all-children') return undefined;
  if (gate === 'any-children') return 'any-children';
  throw usageError(
    'invalid_jsonl',
    `waits-for gate ${JSON.stringify(gate)}: use all-children or any-children`,
  );
}

/**
 * Why our rules would refuse an edge older beads versions stored (dependency-rules.ts), or null.
 * Such an edge is imported as `related` and listed, never dropped. Cycles are found by the
 * write itself (the ledger's check), which the import answers the same way.
 */
export function legacyRefusal(
  source: { issue_type: string; parent: string | null },
  target: { issue_type: string },
  edge: Pick<ImportedEdge, 'type' | 'depends_on_id'>,
): string | null {
  if (edge.type === 'blocks' && (source.issue_type === 'epic') !== (target.issue_type === 'epic'))
    return 'an epic and a task in a blocks edge (epics only block epics here)';
  if (edge.type === 'parent-child' && source.parent !== null && source.parent !== edge.depends_on_id)
    return `a second parent (the first is ${source.parent})`;
  if (edge.type === 'tracks' && source.issue_type !== 'convoy')
    return 'a tracks edge from a bead that is not a convoy';
  return null;
}

/** Codes of the ledger's refusals an import answers with a `related` edge instead. */
export const LEGACY_REFUSALS: readonly string[] = [
  'epic_task_block',
  'already_has_parent',
  'tracks_reserved',
  'cycle',
];
