import { conflict, refused, usageError } from './errors.ts';

/**
 * A rig's approval allow-list: calls a person has said may always run in that rig ("Always allow
 * for rig R" on a card, or `gt approval allow <id> --always`). Kept on the rig record (both
 * ledgers, `approval_rules`), changed only by that verb, so nothing an agent can write — a bead, a
 * label — can grant itself a rule; `gt approval revoke` takes one away again. A rule names the
 * tool and what the call acts on (its subject, approval-call.ts `callSubject`: the shell command,
 * the file, the URL):
 *
 *  - `exact`: the subject is exactly the value (what a card's button adds);
 *  - `prefix`: the subject starts with the value and the rest is plain — for Bash no shell
 *    operator, quote, substitution or new line (so `npm test` never covers `npm test; rm -rf ~`),
 *    for a path or URL no `..` segment (so `src/` never covers `src/../.env`).
 *
 * A request whose input had to be cut (approval-call.ts `boundedInput`) never matches: nobody saw all
 * of it.
 */
export interface ApprovalRule {
  tool: string;
  match: 'exact' | 'prefix';
  value: string;
  /** Who added it and when (the audit has the command too). */
  by: string;
  at: string;
}

export const MAX_RULES = 200;
export const MAX_RULE_VALUE = 4_000;

/** What may follow a Bash prefix: words, paths, flags — nothing the shell would act on. */
const PLAIN_SHELL = /^[^;&|<>`$()\\\n\r'"*?{}[\]!#~]*$/;

function plainRest(tool: string, rest: string): boolean {
  if (tool === 'Bash') return PLAIN_SHELL.test(rest);
  return !/[\n\r]/.test(rest) && !rest.split(/[\\/]/).includes('..');
}

export function ruleMatches(rule: ApprovalRule, tool: string, subject: string): boolean {
  if (rule.tool !== tool) return false;
  if (rule.match === 'exact') return subject === rule.value;
  return subject.startsWith(rule.value) && plainRest(tool, subject.slice(rule.value.length));
}

/** The first rule that answers a call, or null (a truncated call is never answered by a rule). */
export function matchingRule(
  rules: readonly ApprovalRule[],
  call: { tool: string; subject: string; truncated: boolean },
): ApprovalRule | null {
  if (call.truncated) return null;
  return rules.find((r) => ruleMatches(r, call.tool, call.subject)) ?? null;
}

export const sameRule = (a: ApprovalRule, b: ApprovalRule): boolean =>
  a.tool === b.tool && a.match === b.match && a.value === b.value;

/** `Bash: npm test` (exact) or `Bash: npm test…` (any plain continuation). */
export const ruleText = (r: Pick<ApprovalRule, 'tool' | 'match' | 'value'>): string =>
  `${r.tool}: ${r.value.replace(/\s+/g, ' ')}${r.match === 'prefix' ? '…' : ''}`;

/**
 * The rule "always allow" adds for a call: exactly its subject, or (`prefix` given) the subject's
 * start — which must be where the call's subject starts, so the rule covers the call it answers.
 */
export function ruleFor(
  call: { tool: string; subject: string; truncated: boolean },
  prefix: string | undefined,
  by: string,
  at: Date,
): ApprovalRule {
  if (call.truncated)
    throw usageError(
      'truncated_request',
      'this request was too large to show whole, so it cannot become a rule; allow it once instead',
    );
  const value = prefix ?? call.subject;
  if (value === '' || value.length > MAX_RULE_VALUE)
    throw usageError(
      'bad_prefix',
      `a rule's value must be 1 to ${MAX_RULE_VALUE} characters; give a shorter --prefix`,
    );
  if (
    prefix !== undefined &&
    !ruleMatches({ tool: call.tool, match: 'prefix', value, by, at: '' }, call.tool, call.subject)
  )
    throw usageError(
      'bad_prefix',
      `--prefix ${JSON.stringify(prefix)} does not cover this call (${call.subject.slice(0, 200)}); give the start of what it runs, up to a plain continuation`,
    );
  return {
    tool: call.tool,
    match: prefix === undefined ? 'exact' : 'prefix',
    value,
    by,
    at: at.toISOString(),
  };
}

/** `rules` with `rule` added; null when an equal rule is there already; refused past MAX_RULES. */
export function withRule(rules: readonly ApprovalRule[], rule: ApprovalRule): ApprovalRule[] | null {
  if (rules.some((r) => sameRule(r, rule))) return null;
  if (rules.length >= MAX_RULES)
    throw refused(
      'too_many_rules',
      `the rig already has ${MAX_RULES} approval rules; use --prefix rules to cover several calls`,
    );
  return [...rules, rule];
}

/** What a removal reads of the rig: its name, its version and its allow-list. */
export interface RuleHolder {
  name: string;
  version: number;
  approval_rules: readonly ApprovalRule[];
}

const changedMeanwhile = (rig: string, code: string, why: string, details: Record<string, unknown>) =>
  conflict(
    code,
    `the allow-list changed meanwhile (${why}); nothing was removed; see gt approval list --rig ${rig}`,
    { rig, ...details },
  );

/** Refused (conflict `stale_version`) unless the rig is still at `expectVersion` (when given). */
export function checkRulesVersion(rig: RuleHolder, expectVersion: number | undefined): void {
  if (expectVersion !== undefined && rig.version !== expectVersion)
    throw changedMeanwhile(
      rig.name,
      'stale_version',
      `rig ${rig.name} is at version ${rig.version}, not ${expectVersion}`,
      { version: rig.version },
    );
}

/**
 * The rig's allow-list without `rule` — a compare-and-swap's decision, read inside it: refused
 * (conflict) when the rig moved past `expectVersion` (given) or the rule (same tool, match and
 * value) is no longer there.
 */
export function withoutRule(rig: RuleHolder, rule: ApprovalRule, expectVersion?: number): ApprovalRule[] {
  checkRulesVersion(rig, expectVersion);
  const at = rig.approval_rules.findIndex((r) => sameRule(r, rule));
  if (at < 0)
    throw changedMeanwhile(rig.name, 'rule_gone', `${ruleText(rule)} is no longer there`, {
      rule: ruleText(rule),
    });
  return rig.approval_rules.filter((_, i) => i !== at);
}
