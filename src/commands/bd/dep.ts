import { describeCycle } from '../../domain/cycles.ts';
import { type DepType, isDepType } from '../../domain/dependency.ts';
import { notFound, refused, usageError } from '../../domain/errors.ts';
import { optString, reqString } from '../args.ts';
import { resolveBeadRef } from '../bead-ref.ts';
import { defineCommand } from '../command.ts';

const USER_DEP_TYPES = [
  'blocks',
  'parent-child',
  'waits-for',
  'conditional-blocks',
  'related',
  'discovered-from',
];

function parseDepType(raw: string | undefined): DepType {
  const type = raw ?? 'blocks';
  if (!isDepType(type) || !USER_DEP_TYPES.includes(type)) {
    throw usageError(
      'invalid_dep_type',
      `unknown dependency type ${JSON.stringify(type)}; use one of: ${USER_DEP_TYPES.join(', ')}`,
    );
  }
  return type;
}

const pair = {
  positionals: [
    { name: 'issue', required: true },
    { name: 'depends-on', required: true },
  ],
};

export const bdDepAdd = defineCommand<{
  status: 'added';
  issue_id: string;
  depends_on_id: string;
  type: DepType;
}>({
  path: ['bd', 'dep', 'add'],
  summary: 'Make <issue> depend on <depends-on> (a blocking edge that closes a cycle is refused)',
  usage:
    'bd dep add <issue> <depends-on> [--type blocks|parent-child|waits-for|conditional-blocks|related|discovered-from]',
  syntax: {
    ...pair,
    flags: { type: { type: 'string', short: 't', description: 'edge type (default blocks)' } },
  },
  mutates: true,
  async run(args, ctx) {
    const issue = await resolveBeadRef(ctx.services.ledger, reqString(args, 'issue'));
    const dependsOn = await resolveBeadRef(ctx.services.ledger, reqString(args, 'depends-on'));
    const dep = await ctx.services.ledger.addDependency(
      issue,
      dependsOn,
      parseDepType(optString(args, 'type')),
      ctx.write(),
    );
    return {
      data: { status: 'added', issue_id: dep.issue_id, depends_on_id: dep.depends_on_id, type: dep.type },
    };
  },
  text: (d) => `${d.issue_id} now depends on ${d.depends_on_id} (${d.type})`,
});

export const bdDepRemove = defineCommand<{ status: 'removed'; issue_id: string; depends_on_id: string }>({
  path: ['bd', 'dep', 'remove'],
  summary: 'Remove the edge between two beads',
  usage: 'bd dep remove <issue> <depends-on>',
  syntax: { ...pair, flags: {} },
  mutates: true,
  async run(args, ctx) {
    const issue = await resolveBeadRef(ctx.services.ledger, reqString(args, 'issue'));
    const dependsOn = await resolveBeadRef(ctx.services.ledger, reqString(args, 'depends-on'));
    // Upstream reports success for an edge that never existed (DISCOVERY BUG-42); a typo should not pass silently.
    if (!(await ctx.services.ledger.removeDependency(issue, dependsOn, ctx.write()))) {
      throw refused(
        'no_such_dependency',
        `${issue} does not depend on ${dependsOn}; see \`bd show ${issue}\``,
      );
    }
    return { data: { status: 'removed', issue_id: issue, depends_on_id: dependsOn } };
  },
  text: (d) => `removed: ${d.issue_id} no longer depends on ${d.depends_on_id}`,
});

export interface TreeNode {
  id: string;
  title: string;
  status: string;
  issue_type: string;
  priority: number;
  depth: number;
  parent_id: string | null;
  edge_from_parent: string | null;
}

const MAX_TREE_DEPTH = 50;

export const bdDepTree = defineCommand<TreeNode[]>({
  path: ['bd', 'dep', 'tree'],
  summary: 'What a bead depends on, as a tree',
  usage: 'bd dep tree <id>',
  syntax: { positionals: [{ name: 'id', required: true }], flags: {} },
  mutates: false,
  async run(args, ctx) {
    const ledger = ctx.services.ledger;
    const rootId = await resolveBeadRef(ledger, reqString(args, 'id'));
    const nodes: TreeNode[] = [];
    const seen = new Set<string>();
    const visit = async (
      id: string,
      depth: number,
      parent: string | null,
      edge: string | null,
    ): Promise<void> => {
      const bead = await ledger.getBead(id);
      if (!bead) {
        if (depth === 0) throw notFound('bead', id);
        return;
      }
      const { title, status, issue_type, priority } = bead;
      nodes.push({
        id,
        title,
        status,
        issue_type,
        priority,
        depth,
        parent_id: parent,
        edge_from_parent: edge,
      });
      if (seen.has(id) || depth >= MAX_TREE_DEPTH) return;
      seen.add(id);
      for (const d of await ledger.dependenciesOf(id)) {
        if (d.type !== 'related') await visit(d.depends_on_id, depth + 1, id, d.type);
      }
    };
    await visit(rootId, 0, null, null);
    return { data: nodes };
  },
  text: (nodes) =>
    nodes
      .map(
        (n) =>
          `${'  '.repeat(n.depth)}${n.edge_from_parent ? `└─(${n.edge_from_parent}) ` : ''}${n.id} [${n.status}] ${n.title}`,
      )
      .join('\n'),
});

export const bdDepCycles = defineCommand<string[][]>({
  path: ['bd', 'dep', 'cycles'],
  summary: 'Dependency cycles (blocking and parent-child edges), each as a list of ids',
  usage: 'bd dep cycles',
  syntax: { positionals: [], flags: {} },
  mutates: false,
  run: async (_args, ctx) => ({ data: await ctx.services.ledger.findCycles() }),
  text: (cycles) => (cycles.length === 0 ? 'No cycles.' : cycles.map(describeCycle).join('\n')),
});
