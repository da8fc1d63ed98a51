import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { approvalTimeoutS } from './flags.ts';
import { ApprovalRelay } from './relay.ts';
import { permissionServer } from './server.ts';

/**
 * `gt-approve [--timeout-s N]` (bin/gt-approve.mjs): the stdio MCP server an agent CLI starts
 * for its permission prompts (docs/approvals.md). stdout carries the protocol alone; what we
 * have to say goes to stderr, which the CLI keeps in its MCP log. It ends when the CLI closes
 * stdin (the CLI exited): nobody is left to answer.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const flag = argv.indexOf('--timeout-s');
  const timeoutS = approvalTimeoutS({
    GT_APPROVAL_TIMEOUT: flag >= 0 ? argv[flag + 1] : process.env.GT_APPROVAL_TIMEOUT,
  });
  const log = (line: string) => process.stderr.write(`gt-approve: ${line}\n`);
  const relay = new ApprovalRelay({ env: process.env, timeoutS, log });
  const server = permissionServer((call, signal) => relay.decide(call, signal), log);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = resolve;
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  await server.connect(transport);
  log(`ready (answers within ${timeoutS} s)`);
  await closed;
  await server.close().catch(() => {});
  await relay.close();
  return 0;
}
