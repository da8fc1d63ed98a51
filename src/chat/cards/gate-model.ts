import type { Args } from '../../commands/syntax.ts';
import type { Bead } from '../../domain/bead.ts';
import { formulaLabel, STEP_LABEL } from '../../domain/formula/cook-plan.ts';
import { oneLine } from './queue-model.ts';

/**
 * A click on a human gate's card: approve the gate at the version the card showed it at (the
 * verb refuses the click when the gate moved since).
 */
export interface GateClick {
  id: string;
  version: number;
  action: 'approve';
}

export interface GateButton {
  label: string;
  click: GateClick;
  style: 'primary';
}

/** Text here is as written (titles, reasons, names): each renderer makes it inert. */
export interface GateCardModel {
  id: string;
  rig: string | null;
  /** The gate bead's title ("Approve: build-search"). */
  title: string;
  /** The formula and its step the gate was cooked from (null when its labels do not say). */
  formula: string | null;
  step: string | null;
  /** What waits on it (its blocking dependents). */
  dependents: Array<{ id: string; title: string; status: string }>;
  /** Open: a person's turn; closed: `closed` says by whom ("Approved by slack:U1: from chat"). */
  status: 'open' | 'closed';
  closed: string | null;
  /** Approve while open; none once closed. */
  buttons: GateButton[];
}

const formulaOf = (labels: readonly string[]): string | null => {
  const prefix = formulaLabel('');
  return labels.find((l) => l.startsWith(prefix))?.slice(prefix.length) || null;
};

const stepOf = (labels: readonly string[]): string | null => {
  const key = labels.find((l) => l.startsWith(STEP_LABEL))?.slice(STEP_LABEL.length);
  return key ? key.replace(/\.approval$/, '') : null;
};

/** The card of a human gate, from its bead and the beads that wait on it. */
export function gateCardModel(
  gate: Bead,
  dependents: ReadonlyArray<Pick<Bead, 'id' | 'title' | 'status'>>,
): GateCardModel {
  const closed = gate.status === 'closed';
  return {
    id: gate.id,
    rig: gate.rig,
    title: oneLine(gate.title),
    formula: formulaOf(gate.labels),
    step: stepOf(gate.labels),
    dependents: dependents.map((d) => ({ id: d.id, title: oneLine(d.title), status: d.status })),
    status: closed ? 'closed' : 'open',
    closed: closed ? oneLine(gate.close_reason) || 'closed' : null,
    buttons: closed
      ? []
      : [
          {
            label: 'Approve',
            click: { id: gate.id, version: gate.version, action: 'approve' },
            style: 'primary',
          },
        ],
  };
}

/** `gate:<id>:<version>:approve` (ids hold no `:`). */
export const encodeGateClick = (c: GateClick): string => `gate:${c.id}:${c.version}:${c.action}`;

const TOKEN = /^[A-Za-z0-9._-]{1,64}$/;

/** The click a button value names, or null for anything else (a forged or foreign value). */
export function parseGateClick(value: string): GateClick | null {
  const parts = value.split(':');
  if (parts.length !== 4 || parts[0] !== 'gate') return null;
  const [, id = '', version = '', action = ''] = parts;
  if (!TOKEN.test(id) || !/^\d{1,15}$/.test(version) || action !== 'approve') return null;
  return { id, version: Number(version), action };
}

/** The note kept with an approval made on the card (the actor is on the record anyway). */
export const APPROVED_FROM_CHAT = 'from chat';

/**
 * The command a click runs, as the clicking person, through the one command layer (which
 * authorizes it against the policy — `gate:approve` on the gate's rig —, applies it by
 * compare-and-swap on the version and audits it).
 */
export const gateClickCommand = (c: GateClick): { verb: string; args: Args } => ({
  verb: 'gt gate approve',
  args: { id: c.id, version: String(c.version), message: APPROVED_FROM_CHAT },
});
