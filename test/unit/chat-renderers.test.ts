import { describe, expect, it } from 'vitest';
import { escalationCardModel } from '../../src/chat/cards/escalation-model.ts';
import { convoyMessage } from '../../src/chat/discord/convoy-message.ts';
import { escalationMessage } from '../../src/chat/discord/escalation-message.ts';
import { inertText, mentionsOf, withAllowedMentions } from '../../src/chat/discord/inert.ts';
import { convoyBlocks, convoyText } from '../../src/chat/slack/convoy-card.ts';
import { escalationBlocks, escalationText } from '../../src/chat/slack/escalation-card.ts';
import { commandAnswer, mentionOf } from '../../src/chat/slack/format.ts';
import type { Bead } from '../../src/domain/bead.ts';
import { convoyCardModel } from '../../src/domain/convoy-progress.ts';
import { beadFixture, bigConvoy } from '../support/bead-fixtures.ts';

const at = '2026-12-02T04:00:00.000Z';
const bead = beadFixture;
const escalation = (over: Partial<Bead> = {}) =>
  bead({
    id: 'hq-e1',
    title: 'alpha/Toast is stalled on al-x1',
    description: 'hooked to al-x1 and quiet: last output 400s ago, last heartbeat 400s ago',
    issue_type: 'escalation',
    rig: null,
    version: 7,
    labels: [
      'gt:escalation',
      'severity:high',
      'kind:stuck-agent',
      'agent:alpha/Toast',
      'bead:al-x1',
      'propose:reassign:alpha/Nux',
      'propose:reassign:queue',
      'propose:restart',
      'propose:acknowledge',
    ],
    ...over,
  });

function bigConvoyModel() {
  const { convoy, tracked, waves } = bigConvoy();
  return convoyCardModel(convoy, tracked, waves);
}

describe('chat renderers', () => {
  it('renders an open escalation ping for Slack and Discord', () => {
    const m = escalationCardModel(escalation());
    expect(escalationBlocks(m, '<!subteam^S1>')).toMatchSnapshot();
    expect(escalationMessage(m, '<@&R1>')).toMatchSnapshot();
  });

  it('renders a decided escalation without buttons, saying who decided what and when', () => {
    const m = escalationCardModel(
      escalation({
        status: 'closed',
        closed_at: at,
        close_reason: 'Resolved: reassigned to alpha/Nux by slack:U1',
        version: 9,
      }),
    );
    const blocks = escalationBlocks(m, null);
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('Approved by <@U1>');
    expect(blocks).toMatchSnapshot();
    const retired = escalationCardModel(
      escalation({ status: 'closed', closed_at: at, close_reason: 'Retired: alpha/Toast recovered' }),
    );
    expect(JSON.stringify(escalationMessage(retired, null))).toContain('♻️ alpha/Toast recovered');
    expect(escalationMessage(retired, null).components).toEqual([]);
  });

  it('renders a small convoy card', () => {
    const a = bead({ id: 'al-a', title: 'First', status: 'closed' });
    const b = bead({ id: 'al-b', title: 'Second', status: 'hooked', assignee: 'alpha/Toast' });
    const c = bead({ id: 'al-c', title: 'Third', is_blocked: true });
    const m = convoyCardModel(
      bead({ id: 'hq-cv-1', title: 'Ship it', issue_type: 'convoy' }),
      [a, b, c],
      [
        { wave: 1, issues: ['al-a'] },
        { wave: 2, issues: ['al-b', 'al-c'] },
      ],
    );
    expect(convoyBlocks(m)).toMatchSnapshot();
    expect(convoyMessage(m)).toMatchSnapshot();
  });

  it('keeps a 1,000-bead convoy card within Slack’s and Discord’s limits', () => {
    const m = bigConvoyModel();
    const blocks = convoyBlocks(m);
    expect(blocks.length).toBeLessThanOrEqual(50);
    for (const b of blocks) {
      const texts = [b.text, ...((b.elements as Array<{ text?: string }>) ?? [])].map(
        (t) => (t as { text?: string })?.text ?? '',
      );
      for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000);
    }
    expect(JSON.stringify(blocks)).toContain('… and 385 more'); // 400 done, 15 shown
    const embed = (
      convoyMessage(m).embeds as Array<{
        description: string;
        fields: Array<{ name: string; value: string }>;
      }>
    )[0];
    expect(embed?.description.length).toBeLessThanOrEqual(4096);
    expect(embed?.fields.length).toBeLessThanOrEqual(25);
    for (const f of embed?.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(1024);
    const total =
      (embed?.description.length ?? 0) +
      (embed?.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
  });

  it('keeps text written by others inert: escaped for Slack, mention-free for Discord', () => {
    const evil = '<!channel> <@U0VICTIM> @everyone <@&42> & <b>';
    const m = escalationCardModel(
      escalation({
        title: evil,
        description: evil,
        status: 'closed',
        closed_at: at,
        close_reason: `Resolved: ${evil} by human:<!here>`,
        labels: ['gt:escalation', 'severity:high', `agent:${evil}`],
      }),
    );
    const slack = JSON.stringify([escalationBlocks(m, '<!subteam^S1>'), escalationText(m)]);
    expect(slack).not.toMatch(/<!channel>|<@U0VICTIM>|<!here>|<b>|<@&42>/);
    expect(slack).toContain('&lt;!channel&gt; &lt;@U0VICTIM&gt; @everyone &lt;@&amp;42&gt; &amp; &lt;b&gt;');
    expect(slack).toContain('<!subteam^S1>'); // the routed mention is the service's own markup
    const discord = JSON.stringify(escalationMessage(m, '<@&7>'));
    expect(discord).not.toMatch(/@everyone|<@U0VICTIM>|<@&42>/);
    expect(discord).toContain(inertText(evil));
    expect(escalationMessage(m, '<@&7> <@8>').allowed_mentions).toEqual({
      parse: [],
      users: ['8'],
      roles: ['7'],
    });
    const convoy = convoyCardModel(bead({ id: 'hq-cv-1', title: evil, issue_type: 'convoy' }), [], []);
    expect(JSON.stringify([convoyBlocks(convoy), convoyText(convoy)])).not.toMatch(/<!channel>|<b>/);
    expect(JSON.stringify(convoyMessage(convoy))).not.toMatch(/@everyone|<@U0VICTIM>/);
    expect(commandAnswer(`a\n${evil}`)).toBe(
      '```a\n&lt;!channel&gt; &lt;@U0VICTIM&gt; @everyone &lt;@&amp;42&gt; &amp; &lt;b&gt;```',
    );
  });

  it('mentions only ids the service verified, and never lets Discord parse mentions', () => {
    expect(mentionOf('slack:U1')).toBe('<@U1>');
    expect(mentionOf('slack:<!channel>')).toBe('slack:&lt;!channel&gt;');
    expect(mentionOf('human:<@U2>')).toBe('human:&lt;@U2&gt;');
    expect(mentionsOf('<@!5> <@&6> @here')).toEqual({ parse: [], users: ['5'], roles: ['6'] });
    expect(mentionsOf(null)).toEqual({ parse: [] });
    expect(
      withAllowedMentions({ content: 'x', allowed_mentions: { parse: ['everyone'], roles: ['6'] } }),
    ).toEqual({
      content: 'x',
      allowed_mentions: { parse: [], roles: ['6'] },
    });
  });
});
