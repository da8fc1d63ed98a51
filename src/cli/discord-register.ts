import { discordCommands } from '../chat/discord/command-schema.ts';
import { DiscordRest } from '../chat/discord/discord-rest.ts';
import { optString } from '../commands/args.ts';
import { parseWords, type Syntax } from '../commands/syntax.ts';
import { DomainError } from '../domain/errors.ts';
import { DISCORD_REGISTER } from './local-verbs.ts';
import { EXIT, type Output } from './output.ts';

const SYNTAX: Syntax = {
  positionals: [],
  flags: { guild: { type: 'string', description: 'a guild (server) id; without it, global commands' } },
};

/**
 * `gt discord register`: bulk-overwrites the application's commands with `/gt` and `/bd` built
 * from the command catalog. Run it after upgrading (deploy code first, then commands). Needs
 * DISCORD_APP_ID and DISCORD_BOT_TOKEN (DISCORD_API_URL to point elsewhere).
 */
export async function runDiscordRegister(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Output,
): Promise<number> {
  let guild: string | null;
  try {
    guild = optString(parseWords(argv, SYNTAX, DISCORD_REGISTER.usage), 'guild') ?? null;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    io.err(`error: ${err.message}`);
    return EXIT.usage;
  }
  const appId = env.DISCORD_APP_ID?.trim() ?? '';
  const botToken = env.DISCORD_BOT_TOKEN?.trim() ?? '';
  if (!/^\d+$/.test(appId) || botToken === '' || (guild !== null && !/^\d+$/.test(guild))) {
    io.err('error: set DISCORD_APP_ID (numeric) and DISCORD_BOT_TOKEN; --guild takes a numeric guild id');
    return EXIT.usage;
  }
  const rest = new DiscordRest({
    appId,
    botToken,
    apiUrl: env.DISCORD_API_URL?.trim() || 'https://discord.com/api',
  });
  const commands = discordCommands();
  try {
    await rest.registerCommands(commands, guild);
  } catch (err) {
    io.err(`error: Discord refused the commands: ${(err as Error).message}`);
    return EXIT.refused;
  }
  io.out(
    `registered /${commands.map((c) => c.name).join(' and /')} ${guild ? `in guild ${guild}` : 'globally (may take up to an hour to show)'}`,
  );
  return EXIT.ok;
}
