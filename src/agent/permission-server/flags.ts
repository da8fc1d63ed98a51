import { fileURLToPath } from 'node:url';
import { DEFAULT_TIMEOUT_S, MAX_TIMEOUT_S } from '../../domain/approval.ts';
import { PERMISSION_TOOL, SERVER_NAME } from './server.ts';

/** The server's executable (bin/gt-approve.mjs): started by the agent CLI, not by us. */
export const APPROVE_BIN = fileURLToPath(new URL('../../../bin/gt-approve.mjs', import.meta.url));

/** Margin on top of our own deadline for the CLI's MCP timeout: our denial always comes first. */
const CLI_TIMEOUT_MARGIN_S = 60;

/**
 * GT_APPROVAL_TIMEOUT (the rig runner's environment): how long an agent waits for a person before
 * it is told no — whole seconds, or with a unit (`90s`, `5m`, `1h`); default 300 s. A value that
 * does not read as one is the default (the runner must still start its polecats).
 */
export function approvalTimeoutS(env: Readonly<Record<string, string | undefined>>): number {
  const m = /^\s*(\d+)\s*([smh]?)\s*$/.exec(env.GT_APPROVAL_TIMEOUT ?? '');
  if (!m) return DEFAULT_TIMEOUT_S;
  const s = Number(m[1]) * (m[2] === 'h' ? 3600 : m[2] === 'm' ? 60 : 1);
  return s >= 1 && s <= MAX_TIMEOUT_S ? s : DEFAULT_TIMEOUT_S;
}

/**
 * The flags that make Claude Code (`claude -p`, print mode) ask our permission server instead of
 * a terminal (../shared/reference/agent-runtimes.md §2.1), for a preset to add:
 *
 *  - `--mcp-config`: the server, started with this Node and told its deadline. No `env` block: the
 *    CLI starts it with its own environment, which holds the polecat's identity and NATS login
 *    (secrets never go on a command line, where any user of the machine could read them);
 *    `timeout` (ms) bounds the tool call above our own deadline, so our denial comes first;
 *  - `--strict-mcp-config`: only that config — a repository's `.mcp.json` cannot replace `gt`;
 *  - `--permission-prompt-tool mcp__gt__approve`, `--permission-mode acceptEdits`: file edits in
 *    the polecat's worktree go ahead (its work is reviewed by the merge queue's gates and a
 *    person anyway); every other call that would ask — commands, fetches — asks us. Never with
 *    `--dangerously-skip-permissions` (it never asks);
 *  - `--allowedTools Bash(gt:*),Bash(bd:*)`: the polecat's own town commands need nobody.
 *
 * `env` is the runner's environment (GT_APPROVAL_TIMEOUT is read from it).
 */
export function permissionArgs(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const timeoutS = approvalTimeoutS(env);
  const config = {
    mcpServers: {
      [SERVER_NAME]: {
        type: 'stdio',
        command: process.execPath,
        args: [APPROVE_BIN, '--timeout-s', String(timeoutS)],
        timeout: (timeoutS + CLI_TIMEOUT_MARGIN_S) * 1000,
      },
    },
  };
  return [
    '--mcp-config',
    JSON.stringify(config),
    '--strict-mcp-config',
    '--permission-prompt-tool',
    PERMISSION_TOOL,
    '--permission-mode',
    'acceptEdits',
    '--allowedTools',
    'Bash(gt:*),Bash(bd:*)',
  ];
}

/** The same flags as one piece of a bash command line (a preset's text), each word quoted. */
export const permissionFlags = (env: Readonly<Record<string, string | undefined>> = process.env): string =>
  permissionArgs(env).map(shellWord).join(' ');

/** A word bash reads back exactly: in single quotes, a quote inside written as '\''. */
export const shellWord = (w: string): string => `'${w.replaceAll("'", `'\\''`)}'`;
