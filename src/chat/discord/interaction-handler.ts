import type { ChatPrincipal } from '../../domain/policy.ts';
import type { CardStore } from '../card-store.ts';
import type { ChatAnswer, ChatCommands } from '../chat-commands.ts';
import { replyArgs } from '../human-mail.ts';
import type { Remember } from '../slack/request-guard.ts';
import type { WorkQueue } from '../work-queue.ts';
import { approvalClick, isApprovalClick } from './approval-clicks.ts';
import { autocomplete } from './autocomplete.ts';
import { budgetClick, isBudgetClick } from './budget-clicks.ts';
import { argsFromOptions, type InteractionOption, invokedVerb } from './command-schema.ts';
import { replyModal, threadOfMail } from './discord-mail.ts';
import { type DiscordRest, EPHEMERAL } from './discord-rest.ts';
import { confirmPrompt, parseCustomId } from './escalation-message.ts';
import { gateClick, isGateClick } from './gate-clicks.ts';
import { inertResponse, inertText } from './inert.ts';
import { isPlanClick, planClick } from './plan-clicks.ts';
import { isQueueClick, queueClick } from './queue-clicks.ts';

/** The parts of an interaction (Discord API v10 JSON) the handler reads. */
export interface Interaction {
  id: string;
  type: number;
  token: string;
  data?: {
    name?: string;
    options?: InteractionOption[];
    custom_id?: string;
    components?: Array<{ components?: Array<{ custom_id: string; value?: string }> }>;
  };
  member?: { user?: { id: string; username?: string }; roles?: string[] };
  user?: { id: string; username?: string };
}

/** The interaction response (type + data) Discord expects first, within 3 s. */
export interface InteractionResponse {
  type: number;
  data?: unknown;
}
export type Respond = (response: InteractionResponse) => Promise<void>;

export const INTERACTION = { PING: 1, COMMAND: 2, COMPONENT: 3, AUTOCOMPLETE: 4, MODAL_SUBMIT: 5 } as const;
const REPLY = { PONG: 1, MESSAGE: 4, DEFERRED_MESSAGE: 5, DEFERRED_UPDATE: 6, CHOICES: 8, MODAL: 9 } as const;

export interface InteractionDeps {
  commands: ChatCommands;
  rest: DiscordRest;
  remember: Remember;
  /** Work after the deferral waits its turn (see work-queue.ts). */
  work: WorkQueue;
  /** Where mail DMs were remembered (Reply buttons answer them). */
  store: CardStore;
  /** Redraws a plan's card from the ledger (a click refused because the card was out of date). */
  redrawPlan?: (plan: string) => void;
  /** Redraws a convoy's budget card from the ledger (a click refused because the card was out of date). */
  redrawBudget?: (convoy: string) => void;
}

/**
 * What the service does with one interaction, whichever way it arrived (the HTTP endpoint or
 * the gateway): each interaction id handled once, PING answered, commands deferred at once and
 * finished with follow-ups, button clicks and dialogs turned into the same commands as
 * everywhere else. `respond` sends the first response; everything later goes through the
 * interaction's webhook. No response or follow-up parses mentions (inert.ts).
 */
export async function handleInteraction(d: InteractionDeps, i: Interaction, send: Respond): Promise<void> {
  const respond: Respond = (r) => send(inertResponse(r));
  if (i.type === INTERACTION.PING) return respond({ type: REPLY.PONG });
  if (!(await d.remember(`discord:${i.id}`, new Date(Date.now() + 15 * 60_000))))
    return respond(ephemeral('refused: this interaction was already handled'));
  const principal = principalOf(i);
  if (i.type === INTERACTION.AUTOCOMPLETE) {
    const { verb, leaf } = invokedVerb(i.data?.name ?? '', i.data?.options);
    return respond({
      type: REPLY.CHOICES,
      data: { choices: await autocomplete(d.commands, verb, leaf, principal) },
    });
  }
  if (i.type === INTERACTION.COMMAND) return command(d, i, principal, respond);
  if (i.type === INTERACTION.COMPONENT || i.type === INTERACTION.MODAL_SUBMIT)
    return click(d, i, principal, respond);
  return respond(ephemeral(`unsupported interaction type ${i.type}`));
}

/** A slash command: deferred (ephemeral) at once; a change is then announced in the channel. */
async function command(d: InteractionDeps, i: Interaction, principal: ChatPrincipal, respond: Respond) {
  await respond({ type: REPLY.DEFERRED_MESSAGE, data: { flags: EPHEMERAL } });
  await d.work.run(() => finishCommand(d, i, principal));
}

async function finishCommand(d: InteractionDeps, i: Interaction, principal: ChatPrincipal): Promise<void> {
  const { verb, leaf } = invokedVerb(i.data?.name ?? '', i.data?.options);
  const def = d.commands.definition(verb);
  const answer: ChatAnswer = def
    ? await d.commands.run(verb, argsFromOptions(def, leaf), principal)
    : { text: `unknown command ${verb}; run /gt help`, public: false, reply: null, verb: null };
  const message = { content: clip(answer.text), allowed_mentions: { parse: [] } };
  if (!answer.public) {
    await d.rest.editOriginal(i.token, message);
    return;
  }
  // The change is announced in the channel; the private deferral goes (or, failing that, says so).
  await d.rest.followUp(i.token, message);
  await d.rest
    .deleteOriginal(i.token)
    .catch(() => d.rest.editOriginal(i.token, { content: 'done (see above)' }));
}

/** A button or the pick-an-assignee dialog on an escalation card: the decision as a command. */
async function click(d: InteractionDeps, i: Interaction, principal: ChatPrincipal, respond: Respond) {
  const mailId = /^mail:reply:(.+)$/.exec(i.data?.custom_id ?? '')?.[1];
  if (mailId) return mailReply(d, i, mailId, principal, respond);
  if (isQueueClick(i.data?.custom_id)) return queueClick(d, i, principal, respond);
  if (isGateClick(i.data?.custom_id)) return gateClick(d, i, principal, respond);
  if (isPlanClick(i.data?.custom_id)) return planClick(d, i, principal, respond);
  if (isApprovalClick(i.data?.custom_id)) return approvalClick(d, i, principal, respond);
  if (isBudgetClick(i.data?.custom_id)) return budgetClick(d, i, principal, respond);
  const b = parseCustomId(i.data?.custom_id ?? '');
  if (!b) return respond(ephemeral('unknown button'));
  if (b.verb === 'ask')
    return respond({
      type: REPLY.MESSAGE,
      data: confirmPrompt(b, `This will ${b.action.replace(':', ' to ')}.`),
    });
  if (b.verb === 'pick' && i.type === INTERACTION.COMPONENT)
    return respond({ type: REPLY.MODAL, data: pickModal(b) });
  await respond({ type: REPLY.DEFERRED_UPDATE });
  await d.work.run(() => decide(d, i, b, principal));
}

async function decide(
  d: InteractionDeps,
  i: Interaction,
  b: NonNullable<ReturnType<typeof parseCustomId>>,
  principal: ChatPrincipal,
): Promise<void> {
  const picked = i.data?.components?.[0]?.components?.find((c) => c.custom_id === 'address')?.value?.trim();
  const answer =
    b.verb === 'ack'
      ? await d.commands.run('gt escalation ack', { id: b.id, version: b.version }, principal)
      : await d.commands.run(
          'gt escalation resolve',
          { id: b.id, version: b.version, action: b.verb === 'pick' ? `reassign:${picked ?? ''}` : b.action },
          principal,
        );
  if (!answer.reply?.ok) await d.rest.followUp(i.token, { flags: EPHEMERAL, content: clip(answer.text) });
}

/** The Reply button of a mail DM opens a dialog; its text goes back as mail, as the person. */
async function mailReply(
  d: InteractionDeps,
  i: Interaction,
  mailId: string,
  principal: ChatPrincipal,
  respond: Respond,
) {
  if (i.type === INTERACTION.COMPONENT) return respond({ type: REPLY.MODAL, data: replyModal(mailId) });
  await respond({ type: REPLY.DEFERRED_UPDATE });
  const text = i.data?.components?.[0]?.components?.find((c) => c.custom_id === 'text')?.value ?? '';
  await d.work.run(async () => {
    const thread = await threadOfMail(d.store, mailId);
    const answer = thread
      ? await d.commands.run('gt mail send', replyArgs(thread, text), principal)
      : { text: 'that mail is no longer known here', reply: null };
    await d.rest.followUp(i.token, {
      flags: EPHEMERAL,
      content: clip(answer.reply?.ok ? `↩️ sent to ${thread?.from}` : answer.text),
    });
  });
}

function pickModal(b: { id: string; version: string }) {
  return {
    custom_id: `esc:pick:${b.id}:${b.version}:`,
    title: 'Reassign',
    components: [
      {
        type: 1,
        components: [
          {
            type: 4,
            custom_id: 'address',
            style: 1,
            label: 'Give the bead to (rig/polecat)',
            placeholder: 'alpha/Nux',
            required: true,
          },
        ],
      },
    ],
  };
}

export function principalOf(i: Interaction): ChatPrincipal {
  const user = i.member?.user ?? i.user ?? { id: 'unknown' };
  return {
    platform: 'discord',
    user: user.id,
    groups: i.member?.roles ?? [],
    ...(user.username ? { name: user.username } : {}),
  };
}

const ephemeral = (content: string): InteractionResponse => ({
  type: REPLY.MESSAGE,
  data: { flags: EPHEMERAL, content },
});
/** A command's answer (plain text that may quote anything written by others), inert. */
const clip = (text: string): string => {
  const inert = inertText(text);
  const body = inert.includes('\n') ? `\`\`\`\n${inert.slice(0, 1980)}\n\`\`\`` : inert;
  return body.slice(0, 2000);
};
