/**
 * What Claude Code's `--permission-prompt-tool` expects back (../shared/reference/agent-runtimes.md
 * §2.1): an ordinary MCP tool result whose first text content is a JSON string — allow with the
 * input to run (`updatedInput` is required; we echo the agent's own input unchanged), or deny
 * with the message its model reads as the tool's error. Always valid JSON, never an MCP error:
 * how the CLI treats anything else is not documented.
 */
export type PermissionDecision =
  | { behavior: 'allow'; updatedInput: Record<string, unknown> }
  | { behavior: 'deny'; message: string };

/** The call as Claude Code makes it: the tool it wants, that tool's input, and its id of the call. */
export interface ToolCall {
  tool_name: string;
  input: Record<string, unknown>;
  tool_use_id?: string | undefined;
}

export const allow = (input: Record<string, unknown>): PermissionDecision => ({
  behavior: 'allow',
  updatedInput: input,
});

export const deny = (message: string): PermissionDecision => ({ behavior: 'deny', message });

export const toolResult = (d: PermissionDecision) => ({
  content: [{ type: 'text' as const, text: JSON.stringify(d) }],
});
