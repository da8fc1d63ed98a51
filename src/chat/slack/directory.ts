import type { WebClient } from '@slack/web-api';
import type { ChatPrincipal, Policy } from '../../domain/policy.ts';

const GROUP_CACHE_MS = 5 * 60_000;

/**
 * Who a Slack user is for the policy: their user id and the user groups (of those the policy
 * names) they belong to. Slack does not send group membership with a command, so members of
 * each named group are fetched with `usergroups.users.list` (Tier 2) and cached for 5 minutes.
 */
export class SlackDirectory {
  /** The Web API client listeners answer with (it counts failures). */
  readonly client: WebClient;
  private readonly policy: Policy;
  private readonly groups = new Map<string, { members: Set<string>; at: number }>();

  constructor(client: WebClient, policy: Policy) {
    this.client = client;
    this.policy = policy;
  }

  async principal(user: string, name?: string): Promise<ChatPrincipal> {
    const groups: string[] = [];
    for (const group of Object.keys(this.policy.members.slack.groups)) {
      if ((await this.membersOf(group)).has(user)) groups.push(group);
    }
    return { platform: 'slack', user, groups, ...(name ? { name } : {}) };
  }

  private async membersOf(group: string): Promise<Set<string>> {
    const cached = this.groups.get(group);
    if (cached && Date.now() - cached.at < GROUP_CACHE_MS) return cached.members;
    try {
      const r = await this.client.usergroups.users.list({ usergroup: group });
      const members = new Set(r.users ?? []);
      this.groups.set(group, { members, at: Date.now() });
      return members;
    } catch {
      // Unknown group or no scope: nobody is in it (fail closed), and say so again next time.
      return cached?.members ?? new Set();
    }
  }
}
