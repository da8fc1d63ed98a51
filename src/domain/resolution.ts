import { usageError } from './errors.ts';
import { parseRigName } from './rig.ts';

/**
 * What resolving an escalation does (`gt escalation resolve <id> --action A`). The words are the
 * proposed actions an escalation carries (`propose:<action>` labels) and the values of the chat
 * buttons; anything else is a note of what a person did by hand.
 *  - `reassign:<rig>/<name>` hand the bead to that polecat (one compare-and-swap),
 *  - `reassign:queue` or `release` give it back to the queue (the feeder re-slings it),
 *  - `restart` respawn the same polecat on it,
 *  - `acknowledge` close the escalation with nothing changed;
 * and for a `merge-failed` escalation, on the bead's held merge request:
 *  - `merge:retry` verify it again, `merge:rework` send the work back to a polecat with the
 *    evidence, `merge:reject` refuse it (the bead goes back to be worked again),
 *    `merge:land-anyway` land it without passing gates (needs `mq:override` as well).
 */
export type Resolution =
  | { type: 'reassign'; rig: string; name: string }
  | { type: 'release' }
  | { type: 'restart' }
  | { type: 'acknowledge' }
  | { type: 'merge'; step: MergeStep }
  | { type: 'note'; text: string };

export const MERGE_STEPS = ['retry', 'rework', 'reject', 'land-anyway'] as const;
export type MergeStep = (typeof MERGE_STEPS)[number];

export function parseResolution(raw: string | undefined): Resolution {
  const text = (raw ?? '').trim();
  if (text === '' || text === 'acknowledge' || text === 'ack') return { type: 'acknowledge' };
  if (text === 'release' || text === 'reassign:queue') return { type: 'release' };
  if (text === 'restart') return { type: 'restart' };
  if (text.startsWith('merge:')) {
    const step = text.slice('merge:'.length);
    if (!(MERGE_STEPS as readonly string[]).includes(step))
      throw usageError(
        'invalid_action',
        `${JSON.stringify(text)}: write merge:retry, merge:rework, merge:reject or merge:land-anyway`,
      );
    return { type: 'merge', step: step as MergeStep };
  }
  if (text.startsWith('reassign:')) {
    const [rig, name, extra] = text.slice('reassign:'.length).split('/');
    if (!rig || !name || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(name))
      throw usageError(
        'invalid_action',
        `${JSON.stringify(text)}: write reassign:<rig>/<polecat> (e.g. reassign:alpha/nux) or reassign:queue`,
      );
    return { type: 'reassign', rig: parseRigName(rig), name };
  }
  return { type: 'note', text };
}

/** Whether the resolution acts on the escalation's bead and agent (and so needs them). */
export const touchesBead = (r: Resolution): boolean =>
  r.type === 'reassign' || r.type === 'release' || r.type === 'restart';

export function describeResolution(r: Resolution): string {
  switch (r.type) {
    case 'reassign':
      return `reassigned to ${r.rig}/${r.name}`;
    case 'release':
      return 'released to the queue';
    case 'restart':
      return 'restarted';
    case 'acknowledge':
      return 'acknowledged';
    case 'merge':
      return {
        retry: 'merge retried',
        rework: 'sent back for rework',
        reject: 'merge rejected',
        'land-anyway': 'landed anyway (gates not passed)',
      }[r.step];
    case 'note':
      return r.text;
  }
}
