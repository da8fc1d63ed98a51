import { resolveVerb } from '../commands/catalog.ts';
import { type CommandDef, verbName } from '../commands/command.ts';
import type { CommandRegistry } from '../commands/registry.ts';
import { type Args, parseWords } from '../commands/syntax.ts';
import type { Actor } from '../domain/actor.ts';
import { DomainError } from '../domain/errors.ts';
import type { ChatPrincipal } from '../domain/policy.ts';
import { failure, type Reply } from '../domain/reply.ts';

/** What a chat surface shows for one command: text, and whether the channel should see it. */
export interface ChatAnswer {
  text: string;
  /** True when the command changed shared state: the answer goes to the channel, else only to the caller. */
  public: boolean;
  reply: Reply | null;
  verb: string | null;
}

export const chatActor = (p: ChatPrincipal): Actor => ({
  kind: 'human',
  id: `${p.platform}:${p.user}`,
  principal: p,
});

/**
 * Slash commands and buttons from Slack and Discord, as commands: the same words as the CLI,
 * resolved and parsed the same way, run through the one command layer as the chat principal.
 * Nothing here decides; it maps and renders.
 */
export class ChatCommands {
  private readonly registry: CommandRegistry;

  constructor(registry: CommandRegistry) {
    this.registry = registry;
  }

  /** `/gt <words>` or `/bd <words>`. */
  async runWords(root: 'gt' | 'bd', words: readonly string[], principal: ChatPrincipal): Promise<ChatAnswer> {
    if (words.length === 0 || words[0] === 'help') return this.help(root, principal);
    const resolved = resolveVerb(root, words);
    if (!resolved) return answer(`unknown command "${root} ${words.join(' ')}"; try \`/${root} help\``);
    let args: Args;
    try {
      args = parseWords(resolved.rest, resolved.def.syntax, resolved.def.usage);
    } catch (err) {
      if (err instanceof DomainError) return answer(`error: ${err.message}`, failure(err));
      throw err;
    }
    return this.runVerb(resolved.def, args, principal);
  }

  /** The definition of a verb (Discord maps its options onto the verb's syntax). */
  definition(verb: string): CommandDef | undefined {
    return this.registry.get(verb);
  }

  /** A verb with structured arguments (Discord options, button values). */
  async run(verb: string, args: Args, principal: ChatPrincipal): Promise<ChatAnswer> {
    const def = this.registry.get(verb);
    if (!def) return answer(`unknown command ${verb}`);
    return this.runVerb(def, args, principal);
  }

  private async runVerb(def: CommandDef, args: Args, principal: ChatPrincipal): Promise<ChatAnswer> {
    const verb = verbName(def);
    const reply = await this.registry.execute({
      verb,
      args,
      actor: chatActor(principal),
      source: principal.platform,
    });
    if (!reply.ok) return { text: `error: ${reply.error.message}`, public: false, reply, verb };
    const errors = (reply.errors ?? []).map((e) => `error: ${e}`);
    const text = [def.text(reply.data), ...errors].filter((t) => t !== '').join('\n') || 'done';
    return { text, public: def.mutates, reply, verb };
  }

  /** Only what the caller may run (issue 6: `help` lists only what the caller may do). */
  help(root: 'gt' | 'bd', principal: ChatPrincipal): ChatAnswer {
    const verbs = this.registry.verbsFor(principal).filter((d) => d.path[0] === root);
    if (verbs.length === 0)
      return answer(`You may not run any /${root} command yet; ask an admin to add you to the policy file.`);
    const lines = verbs.map((d) => `\`/${d.usage.split(' [')[0]}\` — ${d.summary}`);
    return answer([`What you may run with /${root}:`, ...lines].join('\n'));
  }
}

const answer = (text: string, reply: Reply | null = null): ChatAnswer => ({
  text,
  public: false,
  reply,
  verb: null,
});
