import { conflict, notFound } from '../../domain/errors.ts';
import type { Rig } from '../../domain/rig.ts';
import { isPaused, isPauseOpen, liftedLimit, type UsageLimit } from '../../domain/usage-limit.ts';
import { rigsSharingAccount } from '../../domain/usage-limit-account.ts';
import { type LimitReport, nextPause } from '../../domain/usage-limit-backoff.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';

/** Read-decide-write rounds before giving up on a rig that keeps changing under us. */
const ATTEMPTS = 8;

/** One rig's pause after a limit: `started` when it is a new pause rather than a longer one. */
export interface RigPause {
  rig: string;
  usage_limit: UsageLimit;
  started: boolean;
}

/**
 * Whether the rig's agents spent tokens since its previous pause ended: work got through, so a
 * limit without a reset time is a new wall and its backoff starts over (usage-limit-backoff.ts).
 */
async function workedSince(ledger: Ledger, rig: Rig): Promise<boolean> {
  const previous = rig.usage_limit;
  if (!previous) return false;
  const [sum] = await ledger.usageTotals(
    { rig: rig.name, since: previous.lifted_at ?? previous.until },
    null,
  );
  const t = sum?.tokens;
  return t !== undefined && t.input + t.output + t.cache_read + t.cache_write > 0;
}

/**
 * Pauses `rig` and every rig sharing its account for the limit `report` says, each by
 * compare-and-swap on the rig as read (a rig that changed meanwhile is read and decided again),
 * so two polecats hitting the wall at once make one pause, never a doubled backoff.
 */
export async function pauseForLimit(
  ledger: Ledger,
  rig: Rig,
  report: LimitReport,
  write: WriteContext,
  random: () => number,
): Promise<RigPause[]> {
  const paused: RigPause[] = [];
  for (const member of rigsSharingAccount(rig, await ledger.listRigs())) {
    const pause = await pauseOne(ledger, member.name, report, write, random);
    if (pause) paused.push(pause);
  }
  return paused;
}

async function pauseOne(
  ledger: Ledger,
  name: string,
  report: LimitReport,
  write: WriteContext,
  random: () => number,
): Promise<RigPause | null> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const rig = await ledger.getRig(name);
    if (!rig) return null; // removed meanwhile: nothing to pause
    const context = { now: write.now, random, workedSincePrevious: await workedSince(ledger, rig) };
    const change = nextPause(rig.usage_limit, report, context);
    if (!change)
      return isPaused(rig.usage_limit, write.now)
        ? { rig: name, usage_limit: rig.usage_limit, started: false }
        : null;
    if (await ledger.setRigUsageLimit(name, change.limit, rig.version, write))
      return { rig: name, usage_limit: change.limit, started: change.started };
  }
  throw conflict(
    'busy',
    `rig ${name} kept changing while its usage-limit pause was set; run the command again`,
  );
}

/**
 * Lifts the rig's pause (compare-and-swap on the rig as read). `onlyIfDue`: only a pause whose
 * time has come — what the lift job asks, so a pause made longer meanwhile is left alone.
 * Returns the lifted pause; refuses a rig that is not paused, or whose pause is not due.
 */
export async function liftPause(
  ledger: Ledger,
  name: string,
  write: WriteContext,
  onlyIfDue: boolean,
): Promise<{ rig: Rig; lifted: UsageLimit }> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const rig = await ledger.getRig(name);
    if (!rig) throw notFound('rig', name);
    const held = rig.usage_limit;
    if (!isPauseOpen(held))
      throw conflict(
        'not_paused',
        `rig ${name} is not paused by a usage limit; nothing to resume (see gt rig list)`,
      );
    if (onlyIfDue && isPaused(held, write.now))
      throw conflict(
        'not_due',
        `rig ${name}'s pause runs until ${held.until}; run gt rig resume ${name} without --due to lift it now`,
        { usage_limit: held },
      );
    const lifted = liftedLimit(held, write.now);
    const after = await ledger.setRigUsageLimit(name, lifted, rig.version, write);
    if (after) return { rig: after, lifted };
  }
  throw conflict('busy', `rig ${name} kept changing while its pause was lifted; run the command again`);
}
