import { describe, expect, it } from 'vitest';
import {
  approvalCardModel,
  approvalClickCommand,
  encodeApprovalClick,
  parseApprovalClick,
} from '../../src/chat/cards/approval-model.ts';
import { approvalMessage } from '../../src/chat/discord/approval-message.ts';
import { APPROVAL_ACTION, approvalBlocks, approvalText } from '../../src/chat/slack/approval-card.ts';
import { approvalLabels } from '../../src/domain/approval.ts';
import type { Bead } from '../../src/domain/bead.ts';

const HOSTILE = '<!channel> @everyone <@U1> & *bold* ```';

const request = (input: Record<string, unknown>, over: Partial<Bead> = {}, extra: string[] = []): Bead =>
  ({
    id: 'hq-a1',
    title: 'Bash: x',
    description: JSON.stringify({
      tool_name: input.file_path ? 'Edit' : 'Bash',
      input,
      tool_use_id: 'toolu_1',
    }),
    acceptance_criteria: '',
    status: 'open',
    priority: 1,
    issue_type: 'decision',
    assignee: null,
    labels: [
      ...approvalLabels({
        agent: 'alpha/Toast',
        bead: 'al-9',
        rig: 'alpha',
        tool: 'Bash',
        input,
        toolUseId: 'toolu_1',
        truncated: false,
        deadline: new Date('2026-12-05T10:05:00Z'),
      }),
      ...extra,
    ],
    parent: null,
    rig: null,
    created_at: '2026-12-05T10:00:00Z',
    created_by: 'alpha/Toast',
    updated_at: '2026-12-05T10:00:00Z',
    closed_at: null,
    close_reason: '',
    is_blocked: false,
    version: 4,
    ...over,
  }) as Bead;

const work = { title: `ship it ${HOSTILE}` };

describe('the permission request card', () => {
  it('shows who asks, for which bead, exactly what would run, and three buttons at its version', () => {
    const m = approvalCardModel(request({ command: `rm -rf build ${HOSTILE}` }), work);
    expect(m).toMatchObject({
      id: 'hq-a1',
      rig: 'alpha',
      agent: 'alpha/Toast',
      bead: 'al-9',
      tool: 'Bash',
      subject: `rm -rf build ${HOSTILE}`,
      detail: null,
      status: 'open',
      deadline: '2026-12-05T10:05:00.000Z',
    });
    expect(m.buttons.map((b) => [b.label, encodeApprovalClick(b.click)])).toEqual([
      ['Allow once', 'approval:hq-a1:4:allow'],
      ['Always allow for rig alpha', 'approval:hq-a1:4:always'],
      ['Deny', 'approval:hq-a1:4:deny'],
    ]);
  });

  it('offers no "always" for an input too large to show whole', () => {
    const m = approvalCardModel(request({ command: 'cat' }, {}, ['approval-truncated']), work);
    expect(m.truncated).toBe(true);
    expect(m.buttons.map((b) => b.click.action)).toEqual(['allow', 'deny']);
  });

  it('says how it ended once decided, with no button', () => {
    const closed = request(
      { command: 'ls' },
      { status: 'closed', assignee: 'slack:U2', close_reason: 'Denied by slack:U2', version: 6 },
      ['approval-decision:deny'],
    );
    const m = approvalCardModel(closed, work);
    expect(m).toMatchObject({ status: 'closed', outcome: 'deny', closed: 'Denied by slack:U2', buttons: [] });
    expect(JSON.stringify(approvalBlocks(m))).not.toContain('"actions"');
    expect(approvalMessage(m).components).toEqual([]);
  });

  it('renders the command and an edit’s diff inert, in code blocks nothing can close, on both platforms', () => {
    const m = approvalCardModel(
      request({ file_path: `/r/${HOSTILE}`, old_string: 'a', new_string: `b ${HOSTILE}` }),
      work,
    );
    expect(m.detail).toBe(`- a\n+ b ${HOSTILE}`);
    const slack = JSON.stringify(approvalBlocks(m)) + approvalText(m);
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('<@U1>');
    expect(slack).toContain('&lt;!channel&gt;');
    // The subject's own ``` is broken up: one code block per section, opened and closed by us.
    for (const b of approvalBlocks(m)
      .filter((x) => x.type === 'section')
      .slice(1)) {
      const text = (b.text as { text: string }).text;
      expect(text.startsWith('```') && text.endsWith('```')).toBe(true);
      expect(text.slice(3, -3)).not.toContain('```');
    }
    const actions = approvalBlocks(m).find((b) => b.type === 'actions') as {
      elements: Array<{ action_id: string; value: string }>;
    };
    for (const e of actions.elements) expect(e.action_id).toMatch(APPROVAL_ACTION);
    const discord = approvalMessage(m);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    const text = JSON.stringify(discord);
    expect(text).not.toMatch(/@everyone|<@U1>/);
    expect(text).toContain('appr:act:approval:hq-a1:4:always');
  });

  it('parses only its own button values, and runs the approval verbs at the version', () => {
    expect(parseApprovalClick('approval:hq-a1:4:always')).toEqual({
      id: 'hq-a1',
      version: 4,
      action: 'always',
    });
    for (const forged of [
      'approval:hq-a1:4:approve',
      'approval:hq a1:4:allow',
      'approval:hq-a1:x:deny',
      'gate:hq-a1:4:allow',
    ])
      expect(parseApprovalClick(forged)).toBeNull();
    expect(approvalClickCommand({ id: 'hq-a1', version: 4, action: 'allow' })).toEqual({
      verb: 'gt approval allow',
      args: { id: 'hq-a1', version: '4', message: 'from chat' },
    });
    expect(approvalClickCommand({ id: 'hq-a1', version: 4, action: 'always' })).toEqual({
      verb: 'gt approval allow',
      args: { id: 'hq-a1', version: '4', always: true },
    });
    expect(approvalClickCommand({ id: 'hq-a1', version: 4, action: 'deny' })).toEqual({
      verb: 'gt approval deny',
      args: { id: 'hq-a1', version: '4' },
    });
  });
});
