import type { RequestListener, ServerResponse } from 'node:http';
import type { DiscordConfig } from '../../app/chat-config.ts';
import type { ChatPrincipal } from '../../domain/policy.ts';
import type { CardStore } from '../card-store.ts';
import type { ChatAnswer, ChatCommands } from '../chat-commands.ts';
import { replyArgs } from '../human-mail.ts';
import { readBody } from '../read-body.ts';
import type { Remember } from '../slack/request-guard.ts';
import type { WorkQueue } from '../work-queue.ts';
import { autocomplete } from './autocomplete.ts';
import { argsFromOptions, type InteractionOption, invokedVerb } from './command-schema.ts';
import { replyModal, threadOfMail } from './discord-mail.ts';
import { type DiscordRest, EPHEMERAL } from './discord-rest.ts';
import { confirmPrompt, parseCustomId } from './escalation-message.ts';
import { discordPublicKey, verifyDiscordRequest } from './verify.ts';

export const DISCORD_INTERACTIONS_PATH = '/discord/interactions';

/** The parts of an interaction (Discord API v10 JSON) this handler reads. */
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

const TYPE = { PING: 1, COMMAND: 2, COMPONENT: 3, AUTOCOMPLETE: 4, MODAL_SUBMIT: 5 } as const;
const REPLY = { PONG: 1, MESSAGE: 4, DEFERRED_MESSAGE: 5, DEFERRED_UPDATE: 6, CHOICES: 8, MODAL: 9 } as const;

interface Deps {
  config: DiscordConfig;
  commands: ChatCommands;
  rest: DiscordRest;
  remember: Remember;
  /** Work after the deferral waits its turn (see work-queue.ts). */
  work: WorkQueue;
  /** Where mail DMs were remembered (Reply buttons answer them). */
  store: CardStore;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * Discord's HTTP interactions endpoint (issue 6 item 2): Ed25519 signature and a 5-minute
 * timestamp window checked first (401 otherwise), each interaction id handled once, PING
 * answered, commands deferred within the 3 s and finished with follow-ups, button clicks and
 * dialogs turned into the same commands as everywhere else.
 */
export function discordInteractions(d: Deps): RequestListener {
  const key = discordPublicKey(d.config.publicKey);
  return (req, res) => {
    void readBody(req)
      .then(async (raw) => {
        if (raw === null) return send(res, 413, { error: 'body too large' });
        const verdict = verifyDiscordRequest(
          key,
          String(req.headers['x-signature-ed25519'] ?? ''),
          String(req.headers['x-signature-timestamp'] ?? ''),
          raw,
        );
        if (verdict !== 'ok')
          return send(res, 401, {
            error: verdict === 'stale' ? 'stale timestamp' : 'invalid request signature',
          });
        const i = JSON.parse(raw.toString()) as Interaction;
        if (i.type === TYPE.PING) return send(res, 200, { type: REPLY.PONG });
        if (!(await d.remember(`discord:${i.id}`, new Date(Date.now() + 15 * 60_000))))
          return send(res, 200, ephemeral('refused: this interaction was already handled'));
        await dispatch(d, i, res);
      })
      .catch((err) => {
        d.log.error({ err }, 'Discord interaction failed');
        if (!res.headersSent) send(res, 500, { error: 'internal error' });
      });
  };
}

async function dispatch(d: Deps, i: Interaction, res: ServerResponse): Promise<void> {
  const principal = principalOf(i);
  if (i.type === TYPE.AUTOCOMPLETE) {
    const { verb, leaf } = invokedVerb(i.data?.name ?? '', i.data?.options);
    return send(res, 200, {
      type: REPLY.CHOICES,
      data: { choices: await autocomplete(d.commands, verb, leaf, principal) },
    });
  }
  if (i.type === TYPE.COMMAND) return command(d, i, principal, res);
  if (i.type === TYPE.COMPONENT || i.type === TYPE.MODAL_SUBMIT) return click(d, i, principal, res);
  send(res, 400, { error: `unsupported interaction type ${i.type}` });
}

/** A slash command: deferred (ephemeral) at once; a change is then announced in the channel. */
async function command(
  d: Deps,
  i: Interaction,
  principal: ChatPrincipal,
  res: ServerResponse,
): Promise<void> {
  send(res, 200, { type: REPLY.DEFERRED_MESSAGE, data: { flags: EPHEMERAL } });
  await d.work.run(() => finishCommand(d, i, principal));
}

async function finishCommand(d: Deps, i: Interaction, principal: ChatPrincipal): Promise<void> {
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
async function click(d: Deps, i: Interaction, principal: ChatPrincipal, res: ServerResponse): Promise<void> {
  const mailId = /^mail:reply:(.+)$/.exec(i.data?.custom_id ?? '')?.[1];
  if (mailId) return mailReply(d, i, mailId, principal, res);
  const b = parseCustomId(i.data?.custom_id ?? '');
  if (!b) return send(res, 200, ephemeral('unknown button'));
  if (b.verb === 'ask')
    return send(res, 200, {
      type: REPLY.MESSAGE,
      data: confirmPrompt(b, `This will ${b.action.replace(':', ' to ')}.`),
    });
  if (b.verb === 'pick' && i.type === TYPE.COMPONENT)
    return send(res, 200, { type: REPLY.MODAL, data: pickModal(b) });
  send(res, 200, { type: REPLY.DEFERRED_UPDATE });
  await d.work.run(() => decide(d, i, b, principal));
}

async function decide(
  d: Deps,
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
  d: Deps,
  i: Interaction,
  mailId: string,
  principal: ChatPrincipal,
  res: ServerResponse,
) {
  if (i.type === TYPE.COMPONENT) return send(res, 200, { type: REPLY.MODAL, data: replyModal(mailId) });
  send(res, 200, { type: REPLY.DEFERRED_UPDATE });
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

const ephemeral = (content: string) => ({ type: REPLY.MESSAGE, data: { flags: EPHEMERAL, content } });
const clip = (text: string): string => {
  const body = text.includes('\n') ? `\`\`\`\n${text.slice(0, 1980)}\n\`\`\`` : text;
  return body.slice(0, 2000);
};

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
