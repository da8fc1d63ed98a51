import type { Actor } from './actor.ts';
import type { Platform } from './policy.ts';

/** A person's chat accounts, by platform (policy file `people`). */
export type Person = Partial<Record<Platform, string>>;

/**
 * Who `human:<id>` is on chat: a name the policy file maps (`human:alice` → her Slack and
 * Discord ids), or a platform-qualified id as chat users sign their own mail
 * (`human:slack-U123`, `human:discord-4567`).
 */
export function personOf(address: string, people: Readonly<Record<string, Person>>): Person {
  const id = address.replace(/^human:/, '');
  const named = people[id];
  if (named) return named;
  const [platform, user] = [id.slice(0, id.indexOf('-')), id.slice(id.indexOf('-') + 1)];
  if ((platform === 'slack' || platform === 'discord') && user) return { [platform]: user };
  return {};
}

/** The mail address of a chat user (what their mail is signed with, and replies go to). */
export const chatMailAddress = (platform: Platform, user: string): string => `human:${platform}-${user}`;

/**
 * Every mail address that is the actor's own: an agent's address; a CLI person's `human:<id>`;
 * a chat user's platform address and each name the policy file's `people` gives their account
 * (mail to `human:alice` is Alice's to read and answer from Slack).
 */
export function mailAddressesOf(actor: Actor, people: Readonly<Record<string, Person>>): string[] {
  if (actor.principal) {
    const { platform, user } = actor.principal;
    const named = Object.entries(people).filter(([, p]) => p[platform] === user);
    return [chatMailAddress(platform, user), ...named.map(([name]) => `human:${name}`)];
  }
  if (actor.kind === 'agent') return [actor.id];
  return [actor.kind === 'human' ? `human:${actor.id}` : `system:${actor.id}`];
}
