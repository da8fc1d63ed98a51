import type { OutputParser } from '../agent-output.ts';

/**
 * A runtime preset: how a rig starts one agent CLI headless and reads what it prints. Data, so
 * adding a CLI is one small file (domain/runtimes/<cli>.ts) and a line in index.ts.
 */

/** What a parser may need besides the stream. */
export interface ParserOptions {
  /**
   * The time now, for limit messages that name a wall-clock time or a duration ("resets 9am
   * (Europe/Berlin)", "try again in 2 hours"). Without it those limits carry no reset time.
   */
  now?: () => Date;
}

/** How a CLI tells that its usage limit was hit (reference §0, §1). */
export interface LimitReporting {
  /** `structured`: a field says so; `text`: only an English message does; `none`: nothing we can read. */
  kind: 'structured' | 'text' | 'none';
  /** Exit statuses that mean "limit" by themselves (with no limit seen in the output). */
  exitCodes: readonly number[];
  /** For people (docs/agents.md, `gt rig add` listings): where the signal is and its caveats. */
  note: string;
}

export interface RuntimePreset {
  /** The `--runtime` name. */
  id: string;
  /** The product, for people. */
  title: string;
  /**
   * The shell command line, with `{prompt}` (the prompt as one argument) or `{prompt-file}` (the
   * prompt file's path, for CLIs that read the prompt from stdin) where the prompt goes.
   */
  template: string;
  /** How the prompt reaches the CLI. */
  prompt: 'argument' | 'stdin';
  /**
   * For a CLI whose template has `{approvals}`: the flags used there when no permission relay is
   * given (a headless run nobody can answer must not ask).
   */
  skipApprovals?: string;
  /**
   * The flag by which the CLI caps what one run may spend, in dollars (Claude Code's
   * `--max-budget-usd`): given the remaining budget of the bead's convoy when it has one
   * (budgetArg), so the CLI stops itself there.
   */
  budgetFlag?: string;
  /** A new streaming parser for one process's stdout. */
  parser: (options: ParserOptions) => OutputParser;
  limits: LimitReporting;
  /** What it reports about spending: dollars (cost), tokens only, or nothing. */
  reports: 'cost' | 'tokens' | 'nothing';
}

/**
 * The prompt as one shell word: read at start from the file the runner wrote (GT_PROMPT_FILE),
 * so no bead text is ever spliced into a command line.
 */
export const PROMPT_ARG = '"$(cat "$GT_PROMPT_FILE")"';
export const PROMPT_FILE_ARG = '"$GT_PROMPT_FILE"';

/**
 * The budget cap as shell words: present only when the runner set GT_BUDGET_USD for this polecat
 * (its convoy has a budget; domain/hook.ts `budget_remaining_usd`). The command line is the rig's,
 * the amount is the bead's: the environment carries what differs per bead.
 */
export const budgetArg = (flag: string): string => `\${GT_BUDGET_USD:+${flag} "$GT_BUDGET_USD"}`;

/** The command line a preset runs. */
/**
 * The preset's command line. `{approvals}` is where a CLI that can relay its permission prompts
 * takes the flags that do it (the runner's permission server); without them it is told to skip
 * asking (`skipApprovals`), as a headless agent nobody can answer must.
 */
export const commandLine = (
  p: Pick<RuntimePreset, 'template' | 'skipApprovals' | 'budgetFlag'>,
  approvals: string | null = null,
): string =>
  [
    p.template
      .replaceAll('{prompt}', PROMPT_ARG)
      .replaceAll('{prompt-file}', PROMPT_FILE_ARG)
      .replaceAll('{approvals}', approvals ?? p.skipApprovals ?? '')
      .trim(),
    p.budgetFlag ? budgetArg(p.budgetFlag) : '',
  ]
    .join(' ')
    .trim();
