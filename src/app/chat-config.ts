import { z } from 'zod';
import { usageError } from '../domain/errors.ts';

/**
 * Chat platform settings, from the environment (secrets never go in files under version control).
 * A platform is on when its credentials are set; a half-configured one is an error at start.
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

const nonEmpty = (v: string | undefined) => (v && v.trim() !== '' ? v.trim() : undefined);

const SlackSchema = z.object({
  mode: z.enum(['socket', 'http']),
  botToken: z.string().min(1, 'SLACK_BOT_TOKEN is required'),
  signingSecret: z.string(),
  appToken: z.string().min(1).nullable(),
  apiUrl: z.url(),
  appId: z.string().nullable(),
  teamId: z.string().nullable(),
});

const DiscordSchema = z.object({
  appId: z.string().regex(/^\d+$/, 'DISCORD_APP_ID must be the numeric application id'),
  // Only HTTP mode verifies signatures; a gateway session needs no public key.
  publicKey: z.union([
    z.literal(''),
    z.string().regex(/^[0-9a-fA-F]{64}$/, 'DISCORD_PUBLIC_KEY must be 64 hex characters'),
  ]),
  botToken: z.string().min(1, 'DISCORD_BOT_TOKEN is required'),
  apiUrl: z.url(),
  mode: z.enum(['http', 'gateway']),
});

function check<T>(schema: z.ZodType<T>, raw: unknown, what: string): T {
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  ${what}: ${i.message}`);
  throw usageError('bad_config', `invalid chat configuration:\n${problems.join('\n')}`);
}

export function loadChatConfig(env: NodeJS.ProcessEnv): ChatConfig {
  const slackOn =
    nonEmpty(env.SLACK_BOT_TOKEN) || nonEmpty(env.SLACK_SIGNING_SECRET) || nonEmpty(env.SLACK_APP_TOKEN);
  const discordOn =
    nonEmpty(env.DISCORD_APP_ID) || nonEmpty(env.DISCORD_PUBLIC_KEY) || nonEmpty(env.DISCORD_BOT_TOKEN);
  const slack = slackOn
    ? check(
        SlackSchema,
        {
          mode: (
            nonEmpty(env.SLACK_MODE) ?? (nonEmpty(env.SLACK_APP_TOKEN) ? 'socket' : 'http')
          ).toLowerCase(),
          botToken: nonEmpty(env.SLACK_BOT_TOKEN) ?? '',
          signingSecret: nonEmpty(env.SLACK_SIGNING_SECRET) ?? '',
          appToken: nonEmpty(env.SLACK_APP_TOKEN) ?? null,
          apiUrl: nonEmpty(env.SLACK_API_URL) ?? 'https://slack.com/api/',
          appId: nonEmpty(env.SLACK_APP_ID) ?? null,
          teamId: nonEmpty(env.SLACK_TEAM_ID) ?? null,
        },
        'SLACK_*',
      )
    : null;
  if (slack?.mode === 'http' && !slack.signingSecret)
    throw usageError('bad_config', 'SLACK_MODE=http needs SLACK_SIGNING_SECRET to verify requests');
  if (slack?.mode === 'socket' && !slack.appToken)
    throw usageError(
      'bad_config',
      'SLACK_MODE=socket needs SLACK_APP_TOKEN (an xapp- token with connections:write)',
    );
  const discord = discordOn
    ? check(
        DiscordSchema,
        {
          appId: nonEmpty(env.DISCORD_APP_ID) ?? '',
          publicKey: nonEmpty(env.DISCORD_PUBLIC_KEY) ?? '',
          botToken: nonEmpty(env.DISCORD_BOT_TOKEN) ?? '',
          apiUrl: nonEmpty(env.DISCORD_API_URL) ?? 'https://discord.com/api',
          mode: (nonEmpty(env.DISCORD_MODE) ?? 'http').toLowerCase(),
        },
        'DISCORD_*',
      )
    : null;
  if (discord?.mode === 'http' && !discord.publicKey)
    throw usageError(
      'bad_config',
      "DISCORD_MODE=http needs DISCORD_PUBLIC_KEY (the application's public key) to verify interactions",
    );
  return { slack, discord };
}
