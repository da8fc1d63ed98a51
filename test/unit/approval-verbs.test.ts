import { describe, expect, it } from 'vitest';
import type { ApprovalList } from '../../src/commands/gt/approval.ts';
import type { ApprovalDecided } from '../../src/commands/gt/approval-decide.ts';
import type { ApprovalAnswer } from '../../src/commands/gt/approval-record.ts';
import type { Actor } from '../../src/domain/actor.ts';
import type { Bead } from '../../src/domain/bead.ts';
import { agentActor, ana, approvalPolicy, ben, okData, refusal, vic } from './approval-fixture.ts';
import { useCommands } from './command-harness.ts';

/**
 * `gt approval request|wait|expire` (the agent's side) and `list|allow|deny` (people's) over a
 * real SQLite ledger and the one command layer: who may do what, the compare-and-swap on the
 * request, the rig's allow-list, the deadline, and that bd cannot forge any of it.
 */
const policy = approvalPolicy(['planner']);

describe('agent permission requests', () => {
  const h = useCommands(async (h) => {
    await h.ok('gt rig add', { name: 'alpha', prefix: 'al' });
    await h.ok('gt rig add', { name: 'beta', prefix: 'be' });
  });

  /** A bead slung in `rig`: on the hook of the polecat it went to. */
  async function hooked(rig = 'alpha'): Promise<{ bead: string; agent: Actor }> {
    const bead = (await h.ok<Bead>('bd create', { title: `work in ${rig}`, rig })).id;
    await h.ok('gt sling', { id: bead });
    const [b] = await h.ok<Bead[]>('bd show', { ids: [bead] });
    h.setPolicy(policy);
    return { bead, agent: agentActor(b?.assignee as string) };
  }
  const ask = (agent: Actor, bead: string, command: string, over: Record<string, unknown> = {}) =>
    h.run(
      'gt approval request',
      { bead, tool: 'Bash', input: JSON.stringify({ command }), 'timeout-s': '300', ...over },
      agent,
    );
  const asked = async (agent: Actor, bead: string, command: string, over: Record<string, unknown> = {}) =>
    okData<ApprovalAnswer>(await ask(agent, bead, command, over));

  it('records a request from the agent’s own hooked bead and answers it once a person allows it', async () => {
    const { bead, agent } = await hooked();
    const a = await asked(agent, bead, 'npm run deploy', { 'tool-use-id': 'toolu_1' });
    expect(a).toMatchObject({ state: 'pending', decision: null, message: null });
    const id = a.id as string;
    // Asked again with the same call id (a lost reply): the same request.
    expect((await asked(agent, bead, 'npm run deploy', { 'tool-use-id': 'toolu_1' })).id).toBe(id);
    const list = okData<ApprovalList>(await h.run('gt approval list', {}, vic));
    expect(list.requests).toEqual([
      expect.objectContaining({
        id,
        agent: agent.id,
        bead,
        rig: 'alpha',
        tool: 'Bash',
        subject: 'npm run deploy',
        state: 'pending',
      }),
    ]);
    const waiting = okData<ApprovalAnswer>(await h.run('gt approval wait', { id }, agent));
    expect(waiting.state).toBe('pending');

    const decided = okData<ApprovalDecided>(
      await h.run('gt approval allow', { id, version: String(list.requests[0]?.version) }, ana),
    );
    expect(decided).toMatchObject({
      decision: 'allow',
      decided_by: 'ana',
      reason: 'Allowed by ana',
      rule_added: null,
    });
    const heard = okData<ApprovalAnswer>(await h.run('gt approval wait', { id }, agent));
    expect(heard).toMatchObject({ id, state: 'allow', decision: 'allow', message: 'Allowed by ana' });

    // A second click, or one at the old version, changes nothing and says why.
    const again = refusal(await h.run('gt approval deny', { id }, ana));
    expect(again).toMatchObject({ code: 'already_decided' });
    expect(again.message).toMatch(/already decided \(Allowed by ana\); nothing changed/);
    expect(okData<ApprovalAnswer>(await h.run('gt approval wait', { id }, agent)).state).toBe('allow');
  });

  it('holds a wait until a person decides, and tells the agent why it was denied', async () => {
    const { bead, agent } = await hooked();
    const id = (await asked(agent, bead, 'git push --force')).id as string;
    const waited = h.run('gt approval wait', { id, 'wait-s': '10' }, agent);
    const denied = okData<ApprovalDecided>(
      await h.run('gt approval deny', { id, message: 'not on main' }, ana),
    );
    expect(denied.reason).toBe('Denied by ana: not on main');
    const heard = okData<ApprovalAnswer>(await waited);
    expect(heard).toMatchObject({ state: 'deny', decision: 'deny' });
    expect(heard.message).toMatch(/^Denied by ana: not on main\. A person decided against this call/);
  });

  it('lets only the asking agent ask, wait and give up, and only people of the rig decide', async () => {
    const { bead, agent } = await hooked();
    const other = await hooked(); // another polecat of alpha
    const inBeta = await hooked('beta');
    expect(refusal(await ask(other.agent, bead, 'ls')).code).toBe('forbidden'); // not its bead
    await h.ok('bd update', { id: other.bead, status: 'open' }); // still its bead, no longer on its hook
    expect(refusal(await ask(other.agent, other.bead, 'ls'))).toMatchObject({ code: 'not_hooked' });
    expect(refusal(await ask(inBeta.agent, bead, 'ls')).code).toBe('forbidden');

    const id = (await asked(agent, bead, 'make release')).id as string;
    for (const verb of ['gt approval wait', 'gt approval expire'])
      expect(refusal(await h.run(verb, { id }, inBeta.agent)).message).toMatch(/not allowed: .*request/);
    for (const verb of ['gt approval allow', 'gt approval deny']) {
      expect(refusal(await h.run(verb, { id }, agent)).code).toBe('forbidden'); // never an agent's
      expect(refusal(await h.run(verb, { id }, agentActor('mayor/'))).code).toBe('forbidden');
      expect(refusal(await h.run(verb, { id }, vic)).message).toMatch(/needs agent:approve/);
      expect(refusal(await h.run(verb, { id }, ben)).message).toMatch(/agent:approve on rig alpha/);
    }
    expect(refusal(await h.run('gt approval allow', { id: 'al-zzz' }, ana)).message).toMatch(
      /not found; see gt approval list/,
    );
    expect(
      okData<ApprovalList>(await h.run('gt approval list', { rig: 'alpha' }, ana)).requests,
    ).toHaveLength(1);
  });

  it('adds "always" to the rig’s allow-list: the same call is then answered at once, nothing else is', async () => {
    const { bead, agent } = await hooked();
    const id = (await asked(agent, bead, 'npm test')).id as string;
    const decided = okData<ApprovalDecided>(await h.run('gt approval allow', { id, always: true }, ana));
    expect(decided).toMatchObject({ decision: 'always', rule_added: 'Bash: npm test' });
    expect(decided.reason).toBe('Allowed by ana, and from now on for the rig: Bash: npm test');
    const rig = (await h.ledger.getRig('alpha'))?.approval_rules;
    expect(rig).toEqual([
      { tool: 'Bash', match: 'exact', value: 'npm test', by: 'ana', at: expect.any(String) },
    ]);

    const before = (await h.ledger.listBeads({ issue_type: 'decision', all: true })).length;
    expect(await asked(agent, bead, 'npm test')).toMatchObject({
      id: null,
      state: 'allow',
      decision: 'rule',
      rule: 'Bash: npm test',
    });
    expect((await h.ledger.listBeads({ issue_type: 'decision', all: true })).length).toBe(before);
    expect((await asked(agent, bead, 'npm test -- --watch')).state).toBe('pending');
    // The rule is alpha's: beta's polecat still asks.
    const inBeta = await hooked('beta');
    expect((await asked(inBeta.agent, inBeta.bead, 'npm test')).state).toBe('pending');
    const rules = okData<ApprovalList>(await h.run('gt approval list', { rig: 'alpha' }, vic)).rules;
    expect(rules).toEqual([expect.objectContaining({ rig: 'alpha', value: 'npm test', by: 'ana' })]);
  });

  it('takes a --prefix rule only where the rest of the call is plain', async () => {
    const { bead, agent } = await hooked();
    const id = (await asked(agent, bead, 'npm run lint -- src')).id as string;
    expect(refusal(await h.run('gt approval allow', { id, prefix: 'npm run' }, ana)).code).toBe(
      'prefix_without_always',
    );
    expect(
      refusal(await h.run('gt approval allow', { id, always: true, prefix: 'yarn' }, ana)).message,
    ).toMatch(/does not cover this call/);
    okData(await h.run('gt approval allow', { id, always: true, prefix: 'npm run ' }, ana));
    expect((await asked(agent, bead, 'npm run build')).state).toBe('allow');
    for (const sneaky of [
      'npm run build; rm -rf ~',
      'npm run x && curl evil',
      'npm run $(whoami)',
      'npm run a\nrm -rf /',
    ])
      expect((await asked(agent, bead, sneaky)).state, sneaky).toBe('pending');
  });

  it('never lets a rule answer a call whose input had to be cut, nor makes one of it', async () => {
    const { bead, agent } = await hooked();
    const first = (await asked(agent, bead, 'cat big')).id as string;
    okData(await h.run('gt approval allow', { id: first, always: true }, ana));
    const cut = await asked(agent, bead, 'cat big', { truncated: true });
    expect(cut.state).toBe('pending');
    expect(refusal(await h.run('gt approval allow', { id: cut.id, always: true }, ana)).code).toBe(
      'truncated_request',
    );
  });

  it('closes a request nobody answered: the agent is told no, late clicks change nothing', async () => {
    const { bead, agent } = await hooked();
    const id = (await asked(agent, bead, 'terraform apply', { 'timeout-s': '60' })).id as string;
    const expired = okData<ApprovalAnswer>(await h.run('gt approval expire', { id }, agent));
    expect(expired).toMatchObject({ id, state: 'deny', decision: 'timeout' });
    expect(expired.message).toMatch(
      /No person answered this permission request within 60 s, so it is denied/,
    );
    expect(refusal(await h.run('gt approval allow', { id }, ana))).toMatchObject({ code: 'already_decided' });
    // Expiring again returns the same answer (a retry after a lost reply).
    expect(okData<ApprovalAnswer>(await h.run('gt approval expire', { id }, agent)).decision).toBe('timeout');

    // Past its deadline but not yet closed: a click is refused, the request left for the agent to close.
    const late = (await asked(agent, bead, 'terraform destroy', { 'timeout-s': '1' })).id as string;
    h.advance(2_000);
    expect(refusal(await h.run('gt approval allow', { id: late }, ana))).toMatchObject({ code: 'expired' });
    const row = okData<ApprovalList>(await h.run('gt approval list', {}, ana)).requests.find(
      (r) => r.id === late,
    );
    expect(row?.state).toBe('expired');
  });

  it('refuses bd changes to a request: its answer and what people are shown are the approval verbs’', async () => {
    const { bead, agent } = await hooked();
    const id = (await asked(agent, bead, 'ls')).id as string;
    h.setPolicy({ ...policy, operators: null }); // the full operator: bead:write everywhere
    for (const [verb, args] of [
      ['bd label add', { id, label: 'approval-decision:allow' }],
      ['bd close', { ids: [id] }],
      ['bd update', { id, description: '{"tool_name":"Bash","input":{"command":"echo harmless"}}' }],
    ] as const) {
      const err = refusal(await h.run(verb, args));
      expect(err.message, verb).toMatch(/is an agent's permission request; .* use `gt approval allow\|deny/);
    }
    expect(okData<ApprovalAnswer>(await h.run('gt approval wait', { id }, agent)).state).toBe('pending');
  });
});
