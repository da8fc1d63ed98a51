import { parseDuration } from './duration.ts';
import { GATE_KEYS, LOOP_KEYS, STEP_KEYS, STEP_UNSUPPORTED } from './keys.ts';
import type { Raw, Reader } from './shape.ts';
import {
  type FormulaGate,
  type FormulaLoop,
  type FormulaStep,
  GATE_TYPES,
  STEP_TYPES,
  type StepType,
} from './types.ts';

/**
 * One `[[steps]]` table (recursively: children and loop bodies) → FormulaStep. Decisions live
 * here: `type = "human"` becomes a human gate instead of silently becoming a plain task; other
 * unknown types are kept as a `formula-type:<x>` label so the author's intent stays visible.
 */
export function parseStep(r: Reader, raw: Raw, path: string): FormulaStep {
  r.checkKeys(raw, path, STEP_KEYS, STEP_UNSUPPORTED);
  const id = r.optString(raw.id, `${path}.id`);
  if (!id) r.fail('formula_step_id', `${path} has no id; give every step a unique id = "…"`, { path });
  const expand = r.optString(raw.expand, `${path}.expand`);
  const title = r.optString(raw.title, `${path}.title`);
  if (title === undefined && expand === undefined) {
    r.fail('formula_step_title', `step "${id}" (${path}) has no title; add title = "…"`, { step: id });
  }
  const labels = [...r.strings(raw.labels, `${path}.labels`), ...r.strings(raw.tags, `${path}.tags`)];
  const rawType = r.optString(raw.type, `${path}.type`) ?? 'task';
  let type: StepType = 'task';
  let gate = raw.gate === undefined ? undefined : parseGate(r, raw.gate, `${path}.gate`);
  if ((STEP_TYPES as readonly string[]).includes(rawType)) type = rawType as StepType;
  else if (rawType === 'human') {
    // The step is a person's decision itself (cooked as one), not work followed by an approval.
    gate ??= { type: 'human' };
    labels.push('formula-type:human');
  } else labels.push(`formula-type:${rawType}`);

  const children = r
    .tables(raw.children, `${path}.children`)
    .map((c, i) => parseStep(r, c, `${path}.children[${i}]`));
  if (children.length > 0) type = 'epic';
  const step: FormulaStep = {
    id,
    title: title ?? '',
    type,
    priority: r.optInt(raw.priority, `${path}.priority`) ?? 2,
    labels: [...new Set(labels)],
    needs: [
      ...new Set([
        ...r.strings(raw.needs, `${path}.needs`),
        ...r.strings(raw.depends_on, `${path}.depends_on`),
      ]),
    ],
    children,
    path,
  };
  const optional = {
    description: r.optString(raw.description, `${path}.description`),
    notes: r.optString(raw.notes, `${path}.notes`),
    acceptance: r.optString(raw.acceptance, `${path}.acceptance`),
    assignee: r.optString(raw.assignee, `${path}.assignee`),
    condition: r.optString(raw.condition, `${path}.condition`),
    interactive: r.optBool(raw.interactive, `${path}.interactive`),
    expand,
    gate,
    loop: raw.loop === undefined ? undefined : parseLoop(r, raw.loop, `${path}.loop`),
    metadata: raw.metadata === undefined ? undefined : r.table(raw.metadata, `${path}.metadata`),
  };
  for (const [k, v] of Object.entries(optional)) if (v !== undefined) Object.assign(step, { [k]: v });
  if (step.loop && children.length > 0)
    r.fail('formula_loop', `step "${id}": a loop step cannot also have children`);
  return step;
}

function parseGate(r: Reader, value: unknown, path: string): FormulaGate {
  const raw = r.table(value, path);
  r.checkKeys(raw, path, GATE_KEYS);
  const type = r.optString(raw.type, `${path}.type`) ?? 'human';
  if (!(GATE_TYPES as readonly string[]).includes(type)) {
    r.fail(
      'formula_not_supported',
      `not supported: gate type "${type}" at ${path}; supported gate types: ${GATE_TYPES.join(', ')}`,
      { key: `${path}.type`, gateType: type },
    );
  }
  const gate: FormulaGate = { type: type as FormulaGate['type'] };
  const awaitId = r.optString(raw.await_id, `${path}.await_id`) ?? r.optString(raw.id, `${path}.id`);
  if (awaitId !== undefined) gate.awaitId = awaitId;
  const timeout = r.optString(raw.timeout, `${path}.timeout`);
  if (timeout !== undefined) {
    const ms = parseDuration(timeout);
    if (ms === null) {
      r.fail(
        'formula_gate_timeout',
        `${path}.timeout "${timeout}" is not a duration; write e.g. "30m", "24h" or "1h30m"`,
      );
    }
    gate.timeout = timeout;
    gate.timeoutMs = ms;
  }
  if (gate.type === 'timer' && gate.timeoutMs === undefined) {
    r.fail('formula_gate_timeout', `${path}: a timer gate needs timeout = "<duration>"`);
  }
  return gate;
}

function parseLoop(r: Reader, value: unknown, path: string): FormulaLoop {
  const raw = r.table(value, path);
  // `until` expands one iteration upstream and nothing evaluates it: refusing beats pretending.
  if ('until' in raw || 'max' in raw)
    r.fail('formula_not_supported', `not supported: ${path}.until (loops with until/max)`, {
      key: `${path}.until`,
    });
  r.checkKeys(raw, path, LOOP_KEYS);
  const count = r.optInt(raw.count, `${path}.count`);
  const range = r.optString(raw.range, `${path}.range`);
  if ((count === undefined) === (range === undefined)) {
    r.fail('formula_loop', `${path} needs exactly one of count or range`);
  }
  if (count !== undefined && count < 0)
    r.fail('formula_loop', `${path}.count must not be negative (got ${count})`);
  const body = r.tables(raw.body, `${path}.body`).map((b, i) => parseStep(r, b, `${path}.body[${i}]`));
  if (body.length === 0)
    r.fail('formula_loop', `${path}.body is empty; add at least one [[${path}.body]] step`);
  for (const b of body) {
    if (b.loop || b.children.length > 0 || b.expand) {
      r.fail(
        'formula_not_supported',
        `not supported: loop (nested loop, children or expand inside ${path}.body)`,
        { key: 'loop' },
      );
    }
  }
  const loop: FormulaLoop = { body };
  if (count !== undefined) loop.count = count;
  if (range !== undefined) loop.range = range;
  const v = r.optString(raw.var, `${path}.var`);
  if (v !== undefined) loop.var = v;
  return loop;
}
