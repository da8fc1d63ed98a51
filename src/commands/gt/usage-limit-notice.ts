import { pauseNotice } from '../../domain/usage-limit.ts';
import { NOTICE_KIND, NOTICE_LABEL, noticeAbout, noticeCleared } from '../../domain/usage-limit-notice.ts';
import type { Ledger, WriteContext } from '../../ledger/port.ts';
import type { CommandContext } from '../command.ts';
import { gtEscalate } from './escalate.ts';
import type { RigPause } from './usage-limit-pause.ts';

const openNotices = (ledger: Ledger) =>
  ledger.listBeads({ issue_type: 'escalation', label: NOTICE_LABEL, status: ['open', 'in_progress'] });

/**
 * The notice of a pause that just started (domain/usage-limit-notice.ts): a new escalation
 * through `gt escalate`'s own logic, so it is stored, routed and rendered like any other — or,
 * when one about these rigs is still open (a pause replaced before the lift job retired it), a
 * comment on that one: people get one notice per pause, never one per polecat. Returns its id.
 */
export async function fileNotice(
  ctx: CommandContext,
  agent: string,
  paused: readonly RigPause[],
): Promise<string> {
  const ledger = ctx.services.ledger;
  const rigs = paused.map((p) => p.rig);
  const limit = (paused[0] as RigPause).usage_limit;
  const summary = pauseNotice(rigs, limit);
  const open = noticeAbout(await openNotices(ledger), rigs);
  if (open) {
    await ledger.addComment(open.id, `paused again: ${summary}`, ctx.write());
    return open.id;
  }
  const message = [
    `${agent} hit its account's usage limit; its bead went back to the queue (not a respawn).`,
    `Dispatch resumes by itself at ${limit.until}; \`gt rig resume ${rigs[0]}\` resumes it sooner.`,
  ].join(' ');
  const created = await gtEscalate.run({ summary, message, severity: 'low', kind: NOTICE_KIND, agent }, ctx);
  return created.data.id;
}

/** Retires every open notice whose account holds no pause any more; returns their ids. */
export async function retireLiftedNotices(ledger: Ledger, write: WriteContext): Promise<string[]> {
  const rigs = await ledger.listRigs();
  const retired: string[] = [];
  for (const e of await openNotices(ledger)) {
    const why = noticeCleared(e, rigs);
    if (!why) continue;
    await ledger.closeBead(e.id, { reason: `Retired: ${why}`, force: true }, write);
    retired.push(e.id);
  }
  return retired;
}
