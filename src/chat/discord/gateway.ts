import { WebSocketManager, WebSocketShardEvents } from '@discordjs/ws';
import { GatewayDispatchEvents } from 'discord.js';
import { handleInteraction, type Interaction, type InteractionDeps } from './interaction-handler.ts';

export interface DiscordGateway {
  /** For /readyz: 'ok' while the session is up, else why not. */
  health(): string;
  stop(): Promise<void>;
}

interface Deps extends InteractionDeps {
  botToken: string;
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
}

/**
 * Gateway mode (DISCORD_MODE=gateway): for deployments with no public HTTPS endpoint. The bot
 * keeps a gateway session (discord.js's WebSocket manager: heartbeats, resume, reconnect) and
 * Discord sends interactions over it as INTERACTION_CREATE events; the first response goes back
 * through the interaction callback endpoint, the rest exactly as in HTTP mode. No privileged
 * intents are needed: interactions reach a bot whatever its intents. Replicas each hold a session;
 * the interaction id, remembered in the ledger, lets exactly one of them answer.
 */
export async function connectDiscordGateway(d: Deps): Promise<DiscordGateway> {
  const manager = new WebSocketManager({ token: d.botToken, intents: 0, rest: d.rest.client });
  manager.on(WebSocketShardEvents.Dispatch, ({ data }) => {
    if (data.t !== GatewayDispatchEvents.InteractionCreate) return;
    const interaction = data.d as unknown as Interaction;
    handleInteraction(d, interaction, async (response) => {
      await d.rest.callback(interaction.id, interaction.token, { ...response });
    }).catch((err) => d.log.error({ err, interaction: interaction.id }, 'Discord interaction failed'));
  });
  manager.on(WebSocketShardEvents.Error, ({ error }) =>
    d.log.warn({ err: error }, 'Discord gateway error; discord.js reconnects'),
  );
  let health = 'gateway session not ready yet';
  manager.on(WebSocketShardEvents.Ready, () => {
    health = 'ok';
    d.log.info({}, 'Discord gateway session ready');
  });
  manager.on(WebSocketShardEvents.Resumed, () => {
    health = 'ok';
  });
  manager.on(WebSocketShardEvents.Closed, ({ code }) => {
    health = `gateway session closed (${code}); reconnecting`;
  });
  await manager.connect();
  return { health: () => health, stop: async () => manager.destroy() };
}
