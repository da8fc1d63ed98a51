import { describe, expect, it } from 'vitest';
import {
  encodeGateClick,
  gateCardModel,
  gateClickCommand,
  parseGateClick,
} from '../../src/chat/cards/gate-model.ts';
import { gateMessage } from '../../src/chat/discord/gate-message.ts';
import { GATE_ACTION, gateBlocks, gateText } from '../../src/chat/slack/gate-card.ts';
import type { Bead } from '../../src/domain/bead.ts';

const HOSTILE = '<!channel> @everyone <@U1> & *bold*';

const gate = (over: Partial<Bead> = {}): Bead =>
  ({
    id: 'al-7',
    title: `Approve: ${HOSTILE}\nsecond line`,
    description: '',
    acceptance_criteria: '',
    status: 'open',
    priority: 2,
    issue_type: 'decision',
    assignee: null,
    labels: ['formula-step:build.approval', 'formula:reviewed', 'gate:human'],
    parent: null,
    rig: 'alpha',
    created_at: '2026-01-01T00:00:00Z',
    created_by: 'gt',
    updated_at: '2026-01-01T00:00:00Z',
    closed_at: null,
    close_reason: '',
    is_blocked: false,
    version: 3,
    ...over,
  }) as Bead;

const dependents = [{ id: 'al-9', title: `ship ${HOSTILE}`, status: 'open' as const }];

describe('the human gate card', () => {
  it('models a ready gate: its title, formula step, what waits on it, Approve at its version', () => {
    const m = gateCardModel(gate(), dependents);
    expect(m).toMatchObject({
      id: 'al-7',
      rig: 'alpha',
      title: `Approve: ${HOSTILE}`,
      formula: 'reviewed',
      step: 'build',
      status: 'open',
      closed: null,
      dependents: [{ id: 'al-9', title: `ship ${HOSTILE}` }],
    });
    expect(m.buttons.map((b) => [b.label, encodeGateClick(b.click)])).toEqual([
      ['Approve', 'gate:al-7:3:approve'],
    ]);
  });

  it('says who approved a closed gate, with no button', () => {
    const m = gateCardModel(
      gate({ status: 'closed', close_reason: 'Approved by slack:U_BOSS: from chat', version: 5 }),
      dependents,
    );
    expect(m).toMatchObject({ status: 'closed', closed: 'Approved by slack:U_BOSS: from chat', buttons: [] });
    const slack = JSON.stringify(gateBlocks(m));
    expect(slack).toContain('Approved by slack:U_BOSS: from chat');
    expect(slack).not.toContain(GATE_ACTION);
    expect(gateMessage(m).components).toEqual([]);
  });

  it('renders what people wrote inert on both platforms', () => {
    const m = gateCardModel(gate(), dependents);
    const slack = JSON.stringify(gateBlocks(m)) + gateText(m);
    expect(slack).not.toContain('<!channel>');
    expect(slack).not.toContain('<@U1>');
    expect(slack).toContain('&lt;!channel&gt;');
    const button = gateBlocks(m).find((b) => b.type === 'actions') as {
      elements: Array<{ action_id: string; value: string }>;
    };
    expect(button.elements).toEqual([
      expect.objectContaining({ action_id: GATE_ACTION, value: 'gate:al-7:3:approve' }),
    ]);
    const discord = gateMessage(m);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    const text = JSON.stringify(discord);
    expect(text).not.toMatch(/@everyone|<@U1>/);
    expect(text).toContain('gate:act:gate:al-7:3:approve');
  });

  it('parses only its own button values, and runs gt gate approve at the version with a note', () => {
    expect(parseGateClick('gate:al-7:3:approve')).toEqual({ id: 'al-7', version: 3, action: 'approve' });
    for (const forged of [
      'gate:al-7:3:reject',
      'gate:al 7:3:approve',
      'gate:al-7:x:approve',
      'mr:al-7:3:retry',
    ])
      expect(parseGateClick(forged)).toBeNull();
    expect(gateClickCommand({ id: 'al-7', version: 3, action: 'approve' })).toEqual({
      verb: 'gt gate approve',
      args: { id: 'al-7', version: '3', message: 'from chat' },
    });
  });
});
