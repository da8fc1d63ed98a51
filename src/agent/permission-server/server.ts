import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { deny, type PermissionDecision, type ToolCall, toolResult } from './reply.ts';

/** The MCP server's name and its one tool: Claude Code calls it `mcp__gt__approve`. */
export const SERVER_NAME = 'gt';
export const TOOL_NAME = 'approve';
export const PERMISSION_TOOL = `mcp__${SERVER_NAME}__${TOOL_NAME}`;

/** Decides one call; `signal` aborts when the client cancels it (the agent gave up). */
export type Decide = (call: ToolCall, signal: AbortSignal) => Promise<PermissionDecision>;

/**
 * The permission-prompt server (docs/approvals.md): one tool, `approve`, whose input is exactly
 * what Claude Code sends (`tool_name`, `input`, `tool_use_id`) and whose answer is the reply
 * shape of reply.ts. Whatever goes wrong inside `decide`, the agent gets a denial saying so —
 * never an MCP error, never a silent allow.
 */
export function permissionServer(decide: Decide, log: (line: string) => void): McpServer {
  const server = new McpServer({ name: 'gastown-ops-approvals', version: '1.0.0' });
  server.registerTool(
    TOOL_NAME,
    {
      title: 'Ask a person',
      description:
        'Relays a tool permission request of this agent to the people of its rig (Slack/Discord) and answers allow or deny.',
      inputSchema: {
        tool_name: z.string().describe('the tool the agent wants to use'),
        input: z.record(z.string(), z.unknown()).describe('the input of that tool'),
        tool_use_id: z.string().optional().describe('the id of the call'),
      },
    },
    async (call, extra) => {
      try {
        return toolResult(await decide(call, extra.signal));
      } catch (err) {
        log(`approve ${call.tool_name}: ${(err as Error).message}`);
        return toolResult(
          deny(
            `The permission request could not be relayed to a person (${(err as Error).message}); it is denied.`,
          ),
        );
      }
    },
  );
  return server;
}
