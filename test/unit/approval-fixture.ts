import type { Actor } from '../../src/domain/actor.ts';
import { EMPTY_POLICY, type Policy } from '../../src/domain/policy.ts';
import type { Reply } from '../../src/domain/reply.ts';

/**
 * The people of the approval verb tests: ana approves in alpha, ben in beta, vic only reads and
 * writes beads, `operator` owns the town. `mayorRoles`: what the policy grants the Mayor.
 */
export const approvalPolicy = (mayorRoles: string[]): Policy => ({
  ...EMPTY_POLICY,
  roles: {
    approver: { permissions: ['read', 'agent:approve'], rigs: ['alpha'] },
    'beta-approver': { permissions: ['read', 'agent:approve'], rigs: ['beta'] },
    viewer: { permissions: ['read', 'bead:write'], rigs: ['*'] },
  },
  operators: { operator: ['owner'], ana: ['approver'], ben: ['beta-approver'], vic: ['viewer'] },
  agents: { 'mayor/': mayorRoles },
});

export const person = (id: string): Actor => ({ kind: 'human', id, operator: id });
export const ana = person('ana');
export const ben = person('ben');
export const vic = person('vic');
export const owner = person('operator');
export const agentActor = (id: string): Actor => ({ kind: 'agent', id });

export const okData = <T>(reply: Reply): T => {
  if (!reply.ok) throw new Error(`expected ok, got ${reply.error.code}: ${reply.error.message}`);
  return reply.data as T;
};

export const refusal = (reply: Reply) => {
  if (reply.ok) throw new Error(`expected a refusal, got ${JSON.stringify(reply.data)}`);
  return reply.error;
};
