import { claudeStreamParser } from './claude-stream.ts';
import type { RuntimePreset } from './preset.ts';

/**
 * Claude Code in print mode, streaming one JSON object per line (`stream-json` requires
 * `--verbose` in print mode, or the CLI exits 1 before any output). A rig runner gives it the
 * permission relay's flags (`--permission-prompt-tool`, src/agent/permission-server/flags.ts):
 * what it would ask, a person answers in chat. Without them it skips asking — the two cannot be
 * combined. Refused under root (gasclaw#298).
 */
export const claude: RuntimePreset = {
  id: 'claude',
  title: 'Claude Code',
  template: 'claude -p {prompt} --output-format stream-json --verbose {approvals}',
  skipApprovals: '--dangerously-skip-permissions',
  budgetFlag: '--max-budget-usd',
  prompt: 'argument',
  parser: claudeStreamParser({ reportsCost: true }),
  limits: {
    kind: 'structured',
    exitCodes: [],
    note: '`rate_limit_event` with status `rejected` and `resetsAt` (claude.ai logins only), then a result with `api_error_status: 429` whose text says when it resets',
  },
  reports: 'cost',
};
