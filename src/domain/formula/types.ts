/**
 * The shapes of a formula as we hold it after parsing (Formula, FormulaStep, …) and after
 * expansion (ExpandedFormula, ExpandedStep). Parsing normalises the upstream spellings once
 * (`depends_on` merged into `needs`, `tags` into `labels`, both var forms into FormulaVar,
 * `type = "human"` into a human gate) so that nothing downstream has to know about them.
 */

/** Step types a bead can have; anything else is kept as a `formula-type:<x>` label (see parse). */
export const STEP_TYPES = ['task', 'bug', 'feature', 'epic', 'chore'] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** Only gates a person or the clock closes; gh:run/gh:pr/bead/mail are refused at load. */
export const GATE_TYPES = ['human', 'timer'] as const;
export type GateType = (typeof GATE_TYPES)[number];

export interface FormulaGate {
  type: GateType;
  /** Upstream `id`/`await_id`; informative for human/timer gates. */
  awaitId?: string;
  /** Go-style duration text as written (`24h`, `1h30m`); validated at load. */
  timeout?: string;
  /** Milliseconds of `timeout`, so later slices do not re-parse it. */
  timeoutMs?: number;
}

export interface FormulaVar {
  name: string;
  description?: string;
  /** `""` is a real default; absence is `undefined`. */
  default?: string;
  required: boolean;
  enum?: string[];
  pattern?: string;
}

export interface FormulaLoop {
  count?: number;
  /** `a..b`, integers with + - * / ^ and parentheses; `{{var}}` allowed (substituted first). */
  range?: string;
  /** Exposes the iteration value as `{var}` in body title/description. */
  var?: string;
  body: FormulaStep[];
}

export interface FormulaStep {
  id: string;
  title: string;
  description?: string;
  notes?: string;
  acceptance?: string;
  assignee?: string;
  type: StepType;
  priority: number;
  labels: string[];
  /** `needs` and `depends_on` merged, duplicates removed, file order kept. */
  needs: string[];
  condition?: string;
  children: FormulaStep[];
  gate?: FormulaGate;
  loop?: FormulaLoop;
  /** Inline `expand = "<expansion formula>"`: the step is replaced by that template. */
  expand?: string;
  metadata?: Record<string, unknown>;
  interactive?: boolean;
  /** Where the step was written (`steps[2].children[0]`), for error messages. */
  path: string;
}

export interface ComposeExpand {
  target: string;
  with: string;
  vars: Record<string, string>;
}

export interface Formula {
  name: string;
  version: number;
  type: 'workflow' | 'expansion';
  description?: string;
  vars: FormulaVar[];
  steps: FormulaStep[];
  /** Steps of an `expansion` formula, with `{target…}` placeholders. */
  template: FormulaStep[];
  extends: string[];
  composeExpand: ComposeExpand[];
  phase?: 'liquid' | 'vapor';
  pour?: boolean;
  /** The file the formula came from, for messages. */
  fileName: string;
}

export interface ExpandedStep {
  id: string;
  title: string;
  description: string;
  notes?: string;
  acceptance?: string;
  assignee?: string;
  type: StepType;
  priority: number;
  labels: string[];
  needs: string[];
  /** The enclosing `children` container, if any. */
  parent?: string;
  gate?: FormulaGate;
  metadata?: Record<string, unknown>;
  interactive?: boolean;
}

export interface ExpandedFormula {
  name: string;
  version: number;
  description: string;
  /** Every declared variable with its value (passed, else default). */
  vars: Record<string, string>;
  steps: ExpandedStep[];
}
