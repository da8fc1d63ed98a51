import { describe, expect, it } from 'vitest';
import {
  encodePlanClick,
  type PlanCardModel,
  parsePlanClick,
  planCardModel,
  planClickCommand,
  refusalRedraws,
} from '../../src/chat/cards/plan-model.ts';
import type { ChatAnswer, ChatCommands } from '../../src/chat/chat-commands.ts';
import type { DiscordRest } from '../../src/chat/discord/discord-rest.ts';
import type { InteractionDeps, InteractionResponse } from '../../src/chat/discord/interaction-handler.ts';
import { planClick } from '../../src/chat/discord/plan-clicks.ts';
import { planMessage } from '../../src/chat/discord/plan-message.ts';
import { PLAN_ACTION, planBlocks, planText } from '../../src/chat/slack/plan-card.ts';
import { WorkQueue } from '../../src/chat/work-queue.ts';
import type { PlanView } from '../../src/domain/plan-view.ts';
import type { ChatPrincipal } from '../../src/domain/policy.ts';
import type { Reply } from '../../src/domain/reply.ts';

const HOSTILE =
  '<!channel> @everyone <@U1> <@&42> & *bold* _it_ ~s~ `code` [x](http://e.example) ||spoiler||';

const view = (over: Partial<PlanView> = {}): PlanView => ({
  id: 'hq-p1',
  state: 'ready',
  goal: `add search ${HOSTILE}\n# not a heading\n- not a list`,
  requester: 'slack:U_ANN',
  rigs: ['web', 'docs'],
  formula: null,
  round: 1,
  version: 4,
  convoy: { id: 'hq-cv1', title: 'Plan hq-p1', status: 'staged_ready', version: 7 },
  waves: [
    { wave: 1, beads: [{ id: 'web-1', title: `build ${HOSTILE}`, rig: 'web', needs: [] }] },
    {
      wave: 2,
      beads: [
        { id: 'web-2', title: 'wire it', rig: 'web', needs: ['web-1'] },
        { id: 'doc-1', title: 'document it\nsecond line', rig: 'docs', needs: ['web-1'] },
      ],
    },
  ],
  per_rig: { web: 2, docs: 1 },
  edges: 2,
  gated: [],
  warnings: [{ category: 'cross-rig', bead_ids: ['doc-1'], message: `doc-1 ${HOSTILE}` }],
  note: null,
  ...over,
});

type Block = {
  type: string;
  text?: { type: string; text: string };
  elements?: Array<Record<string, unknown>>;
};
const blocks = (m: PlanCardModel) => planBlocks(m) as Block[];
const mrkdwn = (m: PlanCardModel) =>
  blocks(m).flatMap((b) => [
    ...(b.text?.type === 'mrkdwn' ? [b.text.text] : []),
    ...(b.elements ?? []).filter((e) => e.type === 'mrkdwn').map((e) => String(e.text)),
  ]);
const actions = (m: PlanCardModel) =>
  (blocks(m).find((b) => b.type === 'actions')?.elements ?? []) as Array<{
    action_id: string;
    value: string;
    style?: string;
    confirm?: object;
    text: { text: string };
  }>;

describe('the plan card', () => {
  it('models a staged plan: waves per rig, the dependency summary, warnings, and three buttons at the convoy version', () => {
    const m = planCardModel(view());
    expect(m).toMatchObject({
      id: 'hq-p1',
      state: 'ready',
      requester: 'slack:U_ANN',
      round: 1,
      headline: 'Staged for review: nothing starts until someone launches it.',
      convoy: { id: 'hq-cv1', version: 7 },
      summary: '3 beads in 2 waves · 2 dependencies · docs 1, web 2',
    });
    expect(m.waves[1]?.beads.map((b) => [b.id, b.title, b.rig, b.needs])).toEqual([
      ['web-2', 'wire it', 'web', ['web-1']],
      ['doc-1', 'document it', 'docs', ['web-1']],
    ]);
    expect(m.buttons.map((b) => [b.label, encodePlanClick(b.click), b.style, Boolean(b.confirm)])).toEqual([
      ['Launch', 'plan:hq-p1:hq-cv1:7:launch', 'primary', false],
      ['Revise…', 'plan:hq-p1:hq-cv1:7:revise', null, false],
      ['Discard', 'plan:hq-p1:hq-cv1:7:discard', 'danger', true],
    ]);
    const slack = actions(m);
    expect(slack.map((b) => b.action_id)).toEqual(['plan.launch', 'plan.revise', 'plan.discard']);
    for (const b of slack) expect(b.action_id).toMatch(PLAN_ACTION);
    expect(slack[2]?.confirm).toMatchObject({ style: 'danger', confirm: { text: 'Discard' } });
    const discord = planMessage(m).components as Array<{
      components: Array<{ custom_id: string; style: number }>;
    }>;
    expect(discord[0]?.components.map((c) => [c.custom_id, c.style])).toEqual([
      ['plan:act:plan:hq-p1:hq-cv1:7:launch', 1],
      ['plan:act:plan:hq-p1:hq-cv1:7:revise', 2],
      ['plan:ask:plan:hq-p1:hq-cv1:7:discard', 4],
    ]);
  });

  it('shows the Mayor at work, with no button, while queued or planning', () => {
    const queued = planCardModel(
      view({ state: 'queued', round: 0, convoy: null, waves: [], per_rig: {}, edges: 0 }),
    );
    expect(queued).toMatchObject({
      round: 1,
      headline: 'The Mayor is planning (round 1)…',
      buttons: [],
      summary: null,
    });
    const revising = planCardModel(view({ state: 'queued', round: 1 }));
    expect(revising).toMatchObject({ round: 2, headline: 'The Mayor is planning (round 2)…', buttons: [] });
    const planning = planCardModel(view({ state: 'planning', round: 2 }));
    expect(planning).toMatchObject({ round: 2, headline: 'The Mayor is planning (round 2)…', buttons: [] });
    expect(blocks(planning).some((b) => b.type === 'actions')).toBe(false);
    expect(planMessage(planning).components).toEqual([]);
    expect(planText(queued)).toBe('⏳ Plan hq-p1: The Mayor is planning (round 1)…');
  });

  it('says why a closed plan closed, with no button and no waves', () => {
    for (const [state, note] of [
      ['launched', 'Launched by slack:U_ANN as convoy hq-cv1'],
      ['discarded', `Discarded by discord:42: ${HOSTILE}`],
      ['failed', 'Failed: the Mayor gave up (gt done --status escalated)'],
    ] as const) {
      const m = planCardModel(view({ state, note }));
      expect(m).toMatchObject({ headline: note, buttons: [], waves: [], warnings: [], summary: null });
      expect(blocks(m).some((b) => b.type === 'actions')).toBe(false);
      expect(planMessage(m).components).toEqual([]);
    }
    const failedRound = planCardModel(view({ note: 'Round 2 failed: the Mayor ran out of time' }));
    expect(failedRound.note).toBe('Round 2 failed: the Mayor ran out of time');
    expect(failedRound.buttons).toHaveLength(3); // back for review with its earlier convoy
  });

  it('renders the goal, titles and warnings inert on Slack: escaped, and never as mrkdwn', () => {
    const m = planCardModel(view());
    const slack = JSON.stringify(planBlocks(m)) + planText(m);
    expect(slack).not.toMatch(/<!channel>|<@U1>|<@&42>/);
    expect(slack).toContain('&lt;!channel&gt; @everyone &lt;@U1&gt; &lt;@&amp;42&gt; &amp; *bold*');
    // What people and the Mayor wrote sits in plain-text objects: mrkdwn never sees it.
    for (const text of mrkdwn(m)) expect(text).not.toMatch(/\*bold\*|add search|build |document it/);
    const plain = blocks(m)
      .filter((b) => b.text?.type === 'plain_text')
      .map((b) => b.text?.text)
      .join('\n');
    expect(plain).toContain('add search &lt;!channel&gt;');
    expect(plain).toContain('web-2  wire it  [web]  ← web-1');
    expect(plain).toContain('⚠ [cross-rig] doc-1 &lt;!channel&gt;');
    expect(slack).toContain('asked by <@U_ANN>'); // the requester, as Slack verified them
    expect(planBlocks(planCardModel(view({ requester: 'slack:<!here>' }))).toString()).not.toContain(
      '<!here>',
    );
  });

  it('renders the goal, titles and warnings inert on Discord: no mention, no markdown', () => {
    const m = planCardModel(view({ requester: 'discord:1234' }));
    const discord = planMessage(m);
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    const text = JSON.stringify(discord);
    expect(text).not.toMatch(/@everyone|<@U1>|<@&42>|\*bold\*|\[x\]\(http/);
    const embed = (
      discord.embeds as Array<{ description: string; fields: Array<{ name: string; value: string }> }>
    )[0];
    expect(embed?.description).toContain('Asked by <@1234>');
    expect(embed?.description).toContain(
      '\\*bold\\* \\_it\\_ \\~s\\~ \\`code\\` \\[x\\]\\(http://e.example\\) \\|\\|spoiler\\|\\|',
    );
    expect(embed?.description).toContain('\n\\# not a heading\n\\- not a list');
    expect(embed?.fields.map((f) => f.name)).toEqual([
      'Wave 1',
      'Wave 2',
      'Dependencies',
      'Staging warnings',
    ]);
    expect(embed?.fields[1]?.value).toBe(
      '`web-2` wire it · web ← `web-1`\n`doc-1` document it · docs ← `web-1`',
    );
  });

  it('stays within Slack’s and Discord’s limits for a plan of 500 beads', () => {
    const waves = Array.from({ length: 20 }, (_, w) => ({
      wave: w + 1,
      beads: Array.from({ length: 25 }, (_, i) => ({
        id: `web-${w}-${i}`,
        title: `${'long title '.repeat(30)}${HOSTILE}`,
        rig: 'web',
        needs: w ? [`web-${w - 1}-${i}`] : [],
      })),
    }));
    const warnings = Array.from({ length: 30 }, (_, i) => ({
      category: 'capacity' as const,
      bead_ids: [],
      message: `warning ${i} ${'x'.repeat(200)}`,
    }));
    const m = planCardModel(
      view({ goal: 'g'.repeat(2000), waves, warnings, per_rig: { web: 500 }, edges: 475 }),
    );
    const slack = blocks(m);
    expect(slack.length).toBeLessThanOrEqual(50);
    for (const b of slack) expect(b.text?.text.length ?? 0).toBeLessThanOrEqual(3000);
    expect(JSON.stringify(slack)).toMatch(/… and \d+ more \(gt plan show hq-p1\)/); // the rest is a command away
    const message = planMessage(m);
    const embed = (
      message.embeds as Array<{
        title: string;
        description: string;
        footer: { text: string };
        fields: Array<{ name: string; value: string }>;
      }>
    )[0];
    expect(embed?.fields.length).toBeLessThanOrEqual(25);
    for (const f of embed?.fields ?? []) expect(f.value.length).toBeLessThanOrEqual(1024);
    const total =
      (embed?.title.length ?? 0) +
      (embed?.description.length ?? 0) +
      (embed?.footer.text.length ?? 0) +
      (embed?.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
    expect(total).toBeLessThanOrEqual(6000);
    expect(embed?.fields.map((f) => f.name)).toContain('Staging warnings');
    expect(String(message.content).length).toBeLessThanOrEqual(2000);
  });

  it('parses only its own button values, and runs the verb at the convoy version', () => {
    expect(parsePlanClick('plan:hq-p1:hq-cv1:7:launch')).toEqual({
      plan: 'hq-p1',
      convoy: 'hq-cv1',
      version: 7,
      action: 'launch',
    });
    for (const forged of [
      'plan:hq-p1:hq-cv1:7:approve',
      'plan:hq-p1:hq-cv1:7',
      'plan:hq-p1:hq-cv1:7:launch:x',
      'plan:hq p1:hq-cv1:7:launch',
      'plan:hq-p1::7:launch',
      'plan:hq-p1:hq-cv1:-1:launch',
      'plan:hq-p1:hq-cv1:1e3:launch',
      'gate:hq-p1:hq-cv1:7:launch',
      '',
    ])
      expect(parsePlanClick(forged), forged).toBeNull();
    const click = { plan: 'hq-p1', convoy: 'hq-cv1', version: 7 };
    expect(planClickCommand({ ...click, action: 'launch' })).toEqual({
      verb: 'gt plan launch',
      args: { id: 'hq-cv1', version: '7' },
    });
    expect(planClickCommand({ ...click, action: 'discard' })).toEqual({
      verb: 'gt plan discard',
      args: { id: 'hq-cv1', version: '7', reason: 'from chat' },
    });
    expect(planClickCommand({ ...click, action: 'revise' }, 'also the docs')).toEqual({
      verb: 'gt plan revise',
      args: { id: 'hq-cv1', version: '7', message: 'also the docs' },
    });
    const refused = (kind: string, code: string): Reply =>
      ({ ok: false, error: { kind, code, message: code } }) as Reply;
    expect(refusalRedraws(refused('conflict', 'stale_version'))).toBe(true);
    expect(refusalRedraws(refused('conflict', 'plan_launched'))).toBe(true);
    expect(refusalRedraws(refused('refused', 'not_a_plan'))).toBe(true);
    expect(refusalRedraws(refused('refused', 'forbidden'))).toBe(false);
    expect(refusalRedraws({ ok: true, data: {} })).toBe(false);
    expect(refusalRedraws(null)).toBe(false);
  });
});

describe('plan card clicks on Discord', () => {
  const principal: ChatPrincipal = { platform: 'discord', user: '1001', groups: [] };
  function harness(answer: Partial<ChatAnswer> & { reply: Reply }) {
    const ran: Array<{ verb: string; args: unknown }> = [];
    const followUps: unknown[] = [];
    const redrawn: string[] = [];
    const responses: InteractionResponse[] = [];
    const d = {
      commands: {
        run: async (verb: string, args: unknown) => {
          ran.push({ verb, args });
          return { text: answer.reply.ok ? 'ok' : 'error: changed', public: false, verb, ...answer };
        },
      } as unknown as ChatCommands,
      rest: {
        followUp: async (_t: string, body: unknown) => void followUps.push(body),
      } as unknown as DiscordRest,
      remember: async () => true,
      work: new WorkQueue(1),
      store: {} as InteractionDeps['store'],
      redrawPlan: (id: string) => void redrawn.push(id),
    } satisfies InteractionDeps;
    const click = (type: number, customId: string, text?: string) =>
      planClick(
        d,
        {
          id: '1',
          type,
          token: 't',
          data: {
            custom_id: customId,
            ...(text !== undefined && {
              components: [{ components: [{ custom_id: 'revision', value: text }] }],
            }),
          },
        },
        principal,
        async (r) => void responses.push(r),
      );
    return { click, ran, followUps, redrawn, responses };
  }
  const stale: Reply = { ok: false, error: { kind: 'conflict', code: 'stale_version', message: 'changed' } };

  it('opens the Revise dialog, asks before Discard, and refuses values it never drew', async () => {
    const h = harness({ reply: { ok: true, data: {} } });
    await h.click(3, 'plan:act:plan:hq-p1:hq-cv1:7:revise');
    expect(h.responses[0]).toMatchObject({
      type: 9,
      data: { custom_id: 'plan:say:plan:hq-p1:hq-cv1:7:revise' },
    });
    await h.click(3, 'plan:ask:plan:hq-p1:hq-cv1:7:discard');
    expect(JSON.stringify(h.responses[1])).toContain('plan:yes:plan:hq-p1:hq-cv1:7:discard');
    for (const forged of [
      'plan:yes:plan:hq-p1:hq-cv1:7:launch', // only Discard is confirmed
      'plan:ask:plan:hq-p1:hq-cv1:7:launch',
      'plan:act:plan:hq-p1:hq-cv1:7:discard', // Discard never runs unconfirmed
      'plan:say:plan:hq-p1:hq-cv1:7:revise', // a dialog's id, clicked as a button
      'plan:act:plan:hq-p1:hq-cv1:x:launch',
    ])
      await h.click(3, forged);
    await h.click(5, 'plan:act:plan:hq-p1:hq-cv1:7:launch'); // a button's id, submitted as a dialog
    expect(h.responses.slice(2).map((r) => (r.data as { content?: string }).content)).toEqual(
      Array(6).fill('unknown button'),
    );
    expect(h.ran).toEqual([]);
  });

  it('runs the confirmed Discard and the submitted revision as the member', async () => {
    const h = harness({ reply: { ok: true, data: {} } });
    await h.click(3, 'plan:yes:plan:hq-p1:hq-cv1:7:discard');
    await h.click(5, 'plan:say:plan:hq-p1:hq-cv1:7:revise', 'also the docs');
    expect(h.ran).toEqual([
      { verb: 'gt plan discard', args: { id: 'hq-cv1', version: '7', reason: 'from chat' } },
      { verb: 'gt plan revise', args: { id: 'hq-cv1', version: '7', message: 'also the docs' } },
    ]);
    expect(h.responses.map((r) => r.type)).toEqual([6, 6]);
    expect(h.followUps).toEqual([{ flags: 64, content: 'ok' }]); // the revision is acknowledged
    expect(h.redrawn).toEqual([]);
  });

  it('explains a stale click and redraws the card', async () => {
    const h = harness({ reply: stale });
    await h.click(3, 'plan:act:plan:hq-p1:hq-cv1:7:launch');
    expect(h.followUps).toEqual([{ flags: 64, content: 'error: changed' }]);
    expect(h.redrawn).toEqual(['hq-p1']);
  });
});
