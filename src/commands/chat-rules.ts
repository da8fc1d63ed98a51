import type { Permission } from '../domain/actor.ts';
import { escalationView } from '../domain/escalation.ts';
import type { ChatNeed, ChatPermission } from '../domain/policy.ts';
import type { Ledger } from '../ledger/port.ts';
import type { CommandServices } from './command.ts';
import type { Args } from './syntax.ts';

/**
 * What each verb needs from a chat principal (issue 6 item 5): the permission, and the rigs it
 * acts in when that can be known from the arguments. One table, so who may do what from chat
 * can be read in one place. Verbs not listed need `read` (looking) or `admin` (anything else).
 */
type Scope = (args: Args, ledger: Ledger) => Promise<Omit<ChatNeed, 'permission'>>;

interface Rule {
  permission: ChatPermission;
  scope?: Scope;
}

const str = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : []);

/** The rigs of the beads named by `names` arguments (unknown ids add nothing; the verb refuses them). */
const rigsOfBeads =
  (...names: string[]): Scope =>
  async (args, ledger) => {
    const ids = names.flatMap((n) => str(args[n]));
    const beads = ids.length ? await ledger.listBeads({ ids, all: true }) : [];
    return { rigs: [...new Set(beads.flatMap((b) => b.rig ?? []))] };
  };

const rigArg =
  (name: string): Scope =>
  async (args) => ({ rigs: str(args[name]) });

/** An escalation's rig is its bead's (or agent's); a critical one needs the critical permission too. */
const escalationScope: Scope = async (args, ledger) => {
  const [id] = str(args.id);
  const e = id ? await ledger.getBead(id) : null;
  if (e?.issue_type !== 'escalation') return { rigs: [] };
  const v = escalationView(e);
  const bead = v.bead_id ? await ledger.getBead(v.bead_id) : null;
  const rig = bead?.rig ?? v.agent?.split('/')[0] ?? null;
  return { rigs: rig ? [rig] : [], critical: v.severity === 'critical' };
};

const RULES: Record<string, Rule> = {
  'bd create': { permission: 'bead:write', scope: rigArg('rig') },
  'bd update': { permission: 'bead:write', scope: rigsOfBeads('id') },
  'bd close': { permission: 'bead:write', scope: rigsOfBeads('ids') },
  'bd reopen': { permission: 'bead:write', scope: rigsOfBeads('ids') },
  'bd comment': { permission: 'bead:write', scope: rigsOfBeads('id') },
  'bd label add': { permission: 'bead:write', scope: rigsOfBeads('id') },
  'bd label remove': { permission: 'bead:write', scope: rigsOfBeads('id') },
  'bd dep add': { permission: 'bead:write', scope: rigsOfBeads('issue', 'depends-on') },
  'bd dep remove': { permission: 'bead:write', scope: rigsOfBeads('issue', 'depends-on') },
  'gt convoy create': { permission: 'convoy:create', scope: rigsOfBeads('words') },
  'gt convoy stage': { permission: 'convoy:create', scope: rigsOfBeads('ids') },
  'gt convoy add': { permission: 'convoy:create', scope: rigsOfBeads('ids') },
  'gt convoy launch': { permission: 'convoy:launch', scope: rigsOfBeads('ids') },
  'gt convoy close': { permission: 'convoy:launch' },
  'gt convoy land': { permission: 'convoy:launch' },
  'gt convoy check': { permission: 'convoy:launch' },
  'gt sling': { permission: 'sling', scope: rigsOfBeads('id') },
  'gt escalate': { permission: 'escalation:ack', scope: rigsOfBeads('bead') },
  'gt escalation ack': { permission: 'escalation:ack', scope: escalationScope },
  'gt escalation resolve': { permission: 'escalation:approve', scope: escalationScope },
  'gt mail send': { permission: 'mail:send' },
  'gt nudge': { permission: 'mail:send' },
  'gt audit': { permission: 'admin' },
};

const DEFAULT: Record<Permission, ChatPermission> = { read: 'read', write: 'admin', admin: 'admin' };

export const chatPermissionOf = (verb: string, permission: Permission): ChatPermission =>
  RULES[verb]?.permission ?? DEFAULT[permission];

/** What running `verb` with `args` needs from a chat principal. */
export async function chatNeed(
  verb: string,
  permission: Permission,
  args: Args,
  services: CommandServices,
): Promise<ChatNeed | { permission: ChatPermission; anywhere: true }> {
  const rule = RULES[verb];
  if (!rule?.scope) return { permission: chatPermissionOf(verb, permission), anywhere: true };
  return { permission: rule.permission, ...(await rule.scope(args, services.ledger)) };
}
