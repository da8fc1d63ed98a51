import { userInfo } from 'node:os';
import type { Actor } from '../domain/actor.ts';

const NAMED_OPERATOR = 'operator:';

/**
 * The CLI's identity: an agent when GT_AGENT is set (polecats); a named operator when it logs in
 * to NATS as `operator:<name>` (the service knows it by that user, so that is its name); else the
 * person at the keyboard as GT_ACTOR or $USER says — the town's full operator, who may name itself.
 */
export function actorFromEnv(env: NodeJS.ProcessEnv, natsUser?: string): Actor {
  if (env.GT_AGENT) return { kind: 'agent', id: env.GT_AGENT };
  if (natsUser?.startsWith(NAMED_OPERATOR)) {
    const name = natsUser.slice(NAMED_OPERATOR.length);
    return { kind: 'human', id: name, operator: name };
  }
  return { kind: 'human', id: env.GT_ACTOR || env.USER || safeUsername() };
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
