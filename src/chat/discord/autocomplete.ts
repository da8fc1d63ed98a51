import type { ChatPrincipal } from '../../domain/policy.ts';
import type { ChatCommands } from '../chat-commands.ts';
import { completionOf, type InteractionOption } from './command-schema.ts';

interface Choice {
  name: string;
  value: string;
}

/**
 * Autocomplete for bead, convoy, rig and agent options: the caller's own read commands (so a
 * user who may not read gets nothing), filtered by what was typed, at most 25 (Discord's limit).
 */
export async function autocomplete(
  commands: ChatCommands,
  _verb: string,
  leaf: readonly InteractionOption[],
  principal: ChatPrincipal,
): Promise<Choice[]> {
  const focused = leaf.find((o) => o.focused);
  const kind = focused ? completionOf(focused.name) : undefined;
  if (!focused || !kind) return [];
  const typed =
    String(focused.value ?? '')
      .split(/\s+/)
      .pop()
      ?.toLowerCase() ?? '';
  const candidates = await choicesFor(commands, kind, principal);
  return candidates
    .filter((c) => c.value.toLowerCase().startsWith(typed) || c.name.toLowerCase().includes(typed))
    .slice(0, 25);
}

async function choicesFor(commands: ChatCommands, kind: string, principal: ChatPrincipal): Promise<Choice[]> {
  const read = async (verb: string) => {
    const answer = await commands.run(verb, {}, principal);
    return answer.reply?.ok ? (answer.reply.data as Array<Record<string, unknown>>) : [];
  };
  if (kind === 'rig')
    return (await read('gt rig list')).map((r) => ({ name: String(r.name), value: String(r.name) }));
  if (kind === 'agent')
    return (await read('gt polecats')).map((p) => ({
      name: `${p.address} (${p.verdict})`,
      value: String(p.address),
    }));
  return (await read('bd list')).map((b) => ({
    name: `${b.id} ${String(b.title)}`.slice(0, 100),
    value: String(b.id),
  }));
}
