import { REST, RESTEvents, Routes } from 'discord.js';
import type { DiscordConfig } from '../platform-config.ts';
import { withAllowedMentions } from './inert.ts';

/** A message body we send (content, embeds, components, flags). */
export type MessageBody = Record<string, unknown>;

export const EPHEMERAL = 64;

/**
 * The Discord REST calls the service makes, through discord.js's REST client (its rate-limit
 * buckets, 429 retries after `retry-after`, and the 50/s global limit). Interaction follow-ups
 * use the interaction token (no bot auth); channel posts use the bot token. Every message posted
 * or edited here carries `allowed_mentions` that parses nothing (inert.ts).
 */
export class DiscordRest {
  private readonly rest: REST;
  private readonly appId: string;

  constructor(
    config: Pick<DiscordConfig, 'apiUrl' | 'botToken' | 'appId'>,
    onRateLimited: () => void = () => {},
    onError: (code: string) => void = () => {},
  ) {
    this.appId = config.appId;
    this.rest = new REST({ api: config.apiUrl.replace(/\/$/, ''), version: '10', retries: 3 }).setToken(
      config.botToken,
    );
    this.rest.on(RESTEvents.RateLimited, onRateLimited);
    // Every failed response, by HTTP status (a 429 retried later counts too: it is an error answer).
    this.rest.on(RESTEvents.Response, (_request, response) => {
      if (response.status >= 400) onError(String(response.status));
    });
  }

  /** The REST client itself (the gateway connection asks it where to connect). */
  get client(): REST {
    return this.rest;
  }

  /** The first response to an interaction that came over the gateway (HTTP ones answer in the response). */
  callback(id: string, token: string, body: MessageBody): Promise<unknown> {
    return this.rest.post(Routes.interactionCallback(id, token), { body, auth: false });
  }

  editOriginal(token: string, body: MessageBody): Promise<unknown> {
    return this.rest.patch(Routes.webhookMessage(this.appId, token, '@original'), {
      body: withAllowedMentions(body),
      auth: false,
    });
  }

  deleteOriginal(token: string): Promise<unknown> {
    return this.rest.delete(Routes.webhookMessage(this.appId, token, '@original'), { auth: false });
  }

  followUp(token: string, body: MessageBody): Promise<unknown> {
    return this.rest.post(Routes.webhook(this.appId, token), {
      body: withAllowedMentions(body),
      auth: false,
    });
  }

  async post(channel: string, body: MessageBody): Promise<{ id: string; channel_id: string }> {
    return (await this.rest.post(Routes.channelMessages(channel), { body: withAllowedMentions(body) })) as {
      id: string;
      channel_id: string;
    };
  }

  edit(channel: string, message: string, body: MessageBody): Promise<unknown> {
    return this.rest.patch(Routes.channelMessage(channel, message), { body: withAllowedMentions(body) });
  }

  /** The DM channel with a user. */
  async openDirect(user: string): Promise<string> {
    return ((await this.rest.post(Routes.userChannels(), { body: { recipient_id: user } })) as { id: string })
      .id;
  }

  /** A thread started on a message; returns the thread's channel id. */
  async startThread(channel: string, message: string, name: string): Promise<string> {
    const thread = (await this.rest.post(Routes.threads(channel, message), {
      body: { name: name.slice(0, 100), auto_archive_duration: 1440 },
    })) as { id: string };
    return thread.id;
  }

  /** Bulk-overwrites the application's commands, in one guild or globally. */
  registerCommands(commands: readonly object[], guild: string | null): Promise<unknown> {
    const route = guild
      ? Routes.applicationGuildCommands(this.appId, guild)
      : Routes.applicationCommands(this.appId);
    return this.rest.put(route, { body: commands });
  }
}
