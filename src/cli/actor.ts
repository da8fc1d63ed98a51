import { userInfo } from 'node:os';
import type { Actor } from '../domain/actor.ts';

/** The CLI's identity: an agent when GT_AGENT is set (polecats), else the human at the keyboard. */
export function actorFromEnv(env: NodeJS.ProcessEnv): Actor {
  if (env.GT_AGENT) return { kind: 'agent', id: env.GT_AGENT };
  return { kind: 'human', id: env.GT_ACTOR || env.USER || safeUsername() };
}

function safeUsername(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
