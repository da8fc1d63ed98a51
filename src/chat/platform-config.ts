/**
 * Chat platform settings, as the chat adapters take them (app/chat-config.ts reads them from
 * the service's settings; secrets come from the environment, never from files under version
 * control). A platform is on when any of its credentials is set; a half-configured one is a
 * problem reported at start with the others.
 */
export interface SlackConfig {
  mode: 'socket' | 'http';
  botToken: string;
  signingSecret: string;
  appToken: string | null;
  /** Web API base (tests point it at a local recording server). */
  apiUrl: string;
  /** When set, requests from another app or workspace are refused. */
  appId: string | null;
  teamId: string | null;
}

export interface DiscordConfig {
  appId: string;
  /** '' in gateway mode, which verifies nothing itself. */
  publicKey: string;
  botToken: string;
  /** REST base, without the version (tests point it at a local recording server). */
  apiUrl: string;
  /** http: the /discord/interactions endpoint; gateway: a bot session (no public endpoint needed). */
  mode: 'http' | 'gateway';
}

export interface ChatConfig {
  slack: SlackConfig | null;
  discord: DiscordConfig | null;
}
