import type { ChatConfig, DiscordConfig, SlackConfig } from '../chat/platform-config.ts';
import type { Settings } from './config-schema.ts';
import { problem } from './config-schema.ts';

export type { ChatConfig, DiscordConfig, SlackConfig } from '../chat/platform-config.ts';

/** The chat platforms the checked settings describe, and what is missing for them to work. */
export function chatConfigFrom(s: Settings): { chat: ChatConfig; problems: string[] } {
  const problems: string[] = [];
  return { chat: { slack: slackFrom(s, problems), discord: discordFrom(s, problems) }, problems };
}

function slackFrom(s: Settings, problems: string[]): SlackConfig | null {
  if (!s.SLACK_BOT_TOKEN && !s.SLACK_SIGNING_SECRET && !s.SLACK_APP_TOKEN) return null;
  const mode = s.SLACK_MODE || (s.SLACK_APP_TOKEN ? 'socket' : 'http');
  if (!s.SLACK_BOT_TOKEN) problems.push(problem('SLACK_BOT_TOKEN', 'is required when Slack is configured'));
  if (mode === 'http' && !s.SLACK_SIGNING_SECRET)
    problems.push(problem('SLACK_SIGNING_SECRET', 'is required with SLACK_MODE=http (it verifies requests)'));
  if (mode === 'socket' && !s.SLACK_APP_TOKEN)
    problems.push(
      problem(
        'SLACK_APP_TOKEN',
        'is required with SLACK_MODE=socket (an xapp- token with connections:write)',
      ),
    );
  return {
    mode,
    botToken: s.SLACK_BOT_TOKEN,
    signingSecret: s.SLACK_SIGNING_SECRET,
    appToken: s.SLACK_APP_TOKEN || null,
    apiUrl: s.SLACK_API_URL,
    appId: s.SLACK_APP_ID || null,
    teamId: s.SLACK_TEAM_ID || null,
  };
}

function discordFrom(s: Settings, problems: string[]): DiscordConfig | null {
  if (!s.DISCORD_APP_ID && !s.DISCORD_PUBLIC_KEY && !s.DISCORD_BOT_TOKEN) return null;
  if (!s.DISCORD_APP_ID) problems.push(problem('DISCORD_APP_ID', 'is required when Discord is configured'));
  if (!s.DISCORD_BOT_TOKEN)
    problems.push(problem('DISCORD_BOT_TOKEN', 'is required when Discord is configured'));
  if (s.DISCORD_MODE === 'http' && !s.DISCORD_PUBLIC_KEY)
    problems.push(
      problem('DISCORD_PUBLIC_KEY', 'is required with DISCORD_MODE=http (it verifies interactions)'),
    );
  return {
    appId: s.DISCORD_APP_ID ?? '',
    publicKey: s.DISCORD_PUBLIC_KEY ?? '',
    botToken: s.DISCORD_BOT_TOKEN,
    apiUrl: s.DISCORD_API_URL,
    mode: s.DISCORD_MODE,
  };
}
