/**
 * The Mayor's prompt for one planning round: the reviewable template (config/mayor/prompt.md)
 * with the round's facts put in. Pure: the runner gathers the facts and writes the file.
 */
export interface MayorRigFacts {
  name: string;
  prefix: string;
  repo: string | null;
  merge: string;
  parked: boolean;
  /** Conventions files found in the repository (AGENTS.md, CLAUDE.md, …), as paths. */
  conventions: string[];
}

export interface MayorFormulaFacts {
  name: string;
  description: string;
  vars: string[];
}

export interface MayorPromptFacts {
  plan: string;
  round: number;
  requester: string;
  goal: string;
  /** What the person asked to change (a revision round), and the convoy to change. */
  revision: { text: string; convoy: string | null } | null;
  rigs: MayorRigFacts[];
  formulas: MayorFormulaFacts[];
  formula: string | null;
}

const rigLine = (r: MayorRigFacts): string =>
  [
    `- **${r.name}** (bead prefix \`${r.prefix}\`)${r.parked ? ' — parked: plan for it, it runs once unparked' : ''}`,
    `  repository: ${r.repo ?? '(none registered)'}; changes land by ${r.merge}`,
    ...(r.conventions.length ? [`  conventions: ${r.conventions.join(', ')}`] : []),
  ].join('\n');

function revisionText(f: MayorPromptFacts): string {
  if (!f.revision) return '';
  return [
    '## This is a revision',
    '',
    'The person read your plan and asks for changes (also in your mail: `gt mail inbox`):',
    '',
    f.revision.text,
    '',
    f.revision.convoy
      ? `Change the plan in place: edit beads (\`bd update\`, \`bd dep add|remove\`, \`bd close\` what is no longer wanted), add new ones to convoy ${f.revision.convoy} (\`gt convoy add ${f.revision.convoy} <ids>\`), then re-stage it: \`gt convoy stage ${f.revision.convoy}\`. Do not stage a second convoy.`
      : 'Stage the plan as a new convoy.',
  ].join('\n');
}

export function renderMayorPrompt(template: string, f: MayorPromptFacts): string {
  const values: Record<string, string> = {
    plan: f.plan,
    round: String(f.round),
    requester: f.requester,
    goal: f.goal,
    revision: revisionText(f),
    rigs: f.rigs.length ? f.rigs.map(rigLine).join('\n') : '(no rigs yet: file beads in hq)',
    formulas: f.formulas.length
      ? f.formulas
          .map(
            (x) =>
              `- \`${x.name}\`: ${x.description || '(no description)'}${x.vars.length ? ` (vars: ${x.vars.join(', ')})` : ''}`,
          )
          .join('\n')
      : '(none)',
    formula: f.formula
      ? `The person asked you to use the formula \`${f.formula}\` (gt formula show ${f.formula}).`
      : '',
  };
  // One pass: text the person or a repository wrote is never expanded again.
  return template.replace(/\{\{(\w+)\}\}/g, (whole, key: string) => values[key] ?? whole);
}
