/**
 * Which keys we read, which we refuse and (implicitly) which we ignore with a warning.
 * Upstream never errors on an unknown key, so a typo like `dependson` silently loses an edge;
 * we keep loading (real files carry `[squash]`, `[presets]`, `[metadata…]`) but name every
 * ignored key in a warning. Keys of features we chose not to implement are refused instead:
 * silently dropping them would run a different workflow than the author wrote.
 */

export const TOP_KEYS = new Set([
  'formula',
  'description',
  'version',
  'type',
  'vars',
  'steps',
  'extends',
  'compose',
  'template',
  'phase',
  'pour',
]);

/** Aspects (bd advice/pointcuts, gt aspects), gt convoy formulas, gc v2 opt-in. */
export const TOP_UNSUPPORTED = new Set([
  'advice',
  'pointcuts',
  'aspects',
  'requires',
  'contract',
  'legs',
  'synthesis',
  'prompts',
  'inputs',
  'output',
]);

export const STEP_KEYS = new Set([
  'id',
  'title',
  'description',
  'notes',
  'acceptance',
  'assignee',
  'type',
  'priority',
  'labels',
  'tags',
  'needs',
  'depends_on',
  'condition',
  'children',
  'gate',
  'loop',
  'expand',
  'metadata',
  'interactive',
]);

/** Runtime fan-out, fan-in over bonded children, gc v2 step controls, file-backed text. */
export const STEP_UNSUPPORTED = new Set([
  'on_complete',
  'waits_for',
  'check',
  'retry',
  'ralph',
  'drain',
  'timeout',
  'description_file',
  'expand_vars',
]);

export const COMPOSE_UNSUPPORTED = new Set(['bond_points', 'hooks', 'map', 'branch', 'gate', 'aspects']);

export const VAR_KEYS = new Set(['description', 'default', 'required', 'enum', 'pattern', 'type']);
export const GATE_KEYS = new Set(['type', 'id', 'await_id', 'timeout']);
export const LOOP_KEYS = new Set(['count', 'range', 'var', 'body']);
