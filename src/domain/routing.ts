import type { Severity } from './escalation.ts';
import type { Platform } from './policy.ts';

/**
 * Where chat messages go (issue 6 items 3 and 4): escalation pings by rig and severity, with
 * whom to mention; convoy cards to one channel per platform. The first matching route wins.
 */
export interface Route {
  /** Rigs this route covers; `*` covers every rig and town-level escalations. */
  rigs: string[];
  severities: Severity[];
  channel: Record<Platform, string | null>;
  /** What to put in the message to notify on-call: `<@U1>`, `<!subteam^S1>`, `<@&role>`. */
  mention: Record<Platform, string | null>;
}

export interface Routing {
  escalations: Route[];
  convoys: Record<Platform, string | null>;
}

export const NO_ROUTING: Routing = { escalations: [], convoys: { slack: null, discord: null } };

export function routeFor(routing: Routing, rig: string | null, severity: Severity): Route | null {
  return (
    routing.escalations.find(
      (r) =>
        r.severities.includes(severity) && (r.rigs.includes('*') || (rig !== null && r.rigs.includes(rig))),
    ) ?? null
  );
}
