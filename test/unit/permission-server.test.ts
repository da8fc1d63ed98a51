import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APPROVE_BIN,
  approvalTimeoutS,
  permissionArgs,
  permissionFlags,
} from '../../src/agent/permission-server/flags.ts';
import { allow, deny, type ToolCall } from '../../src/agent/permission-server/reply.ts';
import { type Decide, PERMISSION_TOOL, permissionServer } from '../../src/agent/permission-server/server.ts';

/** The call Claude Code makes (../shared/reference/agent-runtimes.md §2.1, scenario T8's P3). */
const CALL = { tool_name: 'Bash', input: { command: 'rm -rf build' }, tool_use_id: 'toolu_7' };

type TextResult = { content: Array<{ type: string; text: string }>; isError?: boolean };
const payload = (r: unknown) => JSON.parse((r as TextResult).content[0]?.text ?? 'null');

describe('the permission-prompt MCP server', () => {
  const clients: Client[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });

  /** The SDK's real client on the real server, linked in memory, `decide` standing in for the town. */
  async function linked(decide: Decide): Promise<Client> {
    const [client, server] = InMemoryTransport.createLinkedPair();
    await permissionServer(decide, () => {}).connect(server);
    const c = new Client({ name: 'fake-claude', version: '0' });
    await c.connect(client);
    clients.push(c);
    return c;
  }

  it('offers one tool, approve, taking exactly what Claude Code sends', async () => {
    const c = await linked(async () => deny('no'));
    const { tools } = await c.listTools();
    expect(tools.map((t) => t.name)).toEqual(['approve']);
    expect(PERMISSION_TOOL).toBe('mcp__gt__approve');
    const schema = tools[0]?.inputSchema as { properties: object; required: string[] };
    expect(Object.keys(schema.properties).sort()).toEqual(['input', 'tool_name', 'tool_use_id']);
    expect(schema.required.sort()).toEqual(['input', 'tool_name']);
  });

  it('answers allow with the input unchanged, or deny with the message, as JSON text', async () => {
    const seen: ToolCall[] = [];
    const c = await linked(async (call) => {
      seen.push(call);
      return call.tool_name === 'Bash' ? allow(call.input) : deny('Denied by slack:U1: not today');
    });
    const allowed = await c.callTool({ name: 'approve', arguments: CALL });
    expect((allowed as TextResult).isError).toBeFalsy();
    expect(payload(allowed)).toEqual({ behavior: 'allow', updatedInput: { command: 'rm -rf build' } });
    const denied = await c.callTool({
      name: 'approve',
      arguments: { tool_name: 'Write', input: { file_path: '/etc/passwd', content: 'x' } },
    });
    expect(payload(denied)).toEqual({ behavior: 'deny', message: 'Denied by slack:U1: not today' });
    expect(seen).toEqual([CALL, { tool_name: 'Write', input: { file_path: '/etc/passwd', content: 'x' } }]);
  });

  it('denies, in the same shape, whatever goes wrong inside', async () => {
    const c = await linked(async () => {
      throw new Error('ledger exploded');
    });
    const r = await c.callTool({ name: 'approve', arguments: CALL });
    expect((r as TextResult).isError).toBeFalsy();
    expect(payload(r)).toEqual({ behavior: 'deny', message: expect.stringContaining('ledger exploded') });
  });

  it('runs as its own process over stdio: the SDK client, and raw JSON-RPC lines, get the reply shape', async () => {
    // Without a hooked bead the relay asks nobody: a deterministic denial, no town needed.
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [APPROVE_BIN, '--timeout-s', '5'],
      env,
      stderr: 'pipe',
    });
    const c = new Client({ name: 'fake-claude', version: '0' });
    await c.connect(transport);
    clients.push(c);
    const r = await c.callTool({ name: 'approve', arguments: CALL });
    expect(payload(r)).toEqual({ behavior: 'deny', message: expect.stringMatching(/no hooked bead/) });

    // The wire as the reference's fake agent writes it (P1, P2, P3), stdin kept open.
    const child = spawn(process.execPath, [APPROVE_BIN], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    const lines = createInterface({ input: child.stdout });
    const replies: Array<{ id?: number; result?: unknown }> = [];
    const gotTwo = new Promise<void>((resolve) =>
      lines.on('line', (l) => {
        replies.push(JSON.parse(l));
        if (replies.length === 2) resolve();
      }),
    );
    const send = (m: object) => child.stdin.write(`${JSON.stringify(m)}\n`);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'fake-claude', version: '0' },
      },
    });
    send({ jsonrpc: '2.0', method: 'notifications/initialized' });
    send({ jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'approve', arguments: CALL } });
    await gotTwo;
    expect(replies[0]).toMatchObject({ id: 1, result: { capabilities: { tools: {} } } });
    expect(replies[1]?.id).toBe(2);
    expect(payload(replies[1]?.result)).toMatchObject({ behavior: 'deny' });
    const exited = new Promise((r) => child.once('exit', r));
    child.stdin.end(); // the CLI went away: the server ends with it
    expect(await exited).toBe(0);
  }, 30_000);
});

describe('permissionArgs: the flags a Claude preset adds', () => {
  it('points Claude at our server and tool, with our deadline and a longer CLI timeout', () => {
    const args = permissionArgs({ GT_APPROVAL_TIMEOUT: '90' });
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    expect(at('--permission-prompt-tool')).toBe('mcp__gt__approve');
    expect(at('--permission-mode')).toBe('acceptEdits');
    expect(args).toContain('--strict-mcp-config');
    expect(args).not.toContain('--dangerously-skip-permissions');
    expect(at('--allowedTools')).toBe('Bash(gt:*),Bash(bd:*)');
    expect(JSON.parse(at('--mcp-config') as string)).toEqual({
      mcpServers: {
        gt: {
          type: 'stdio',
          command: process.execPath,
          args: [APPROVE_BIN, '--timeout-s', '90'],
          timeout: 150_000,
        },
      },
    });
    // No secrets on the command line: the server inherits the polecat's environment.
    expect(at('--mcp-config')).not.toMatch(/env|PASSWORD/);
  });

  it('reads GT_APPROVAL_TIMEOUT in seconds or with a unit, else 300 s', () => {
    expect(approvalTimeoutS({})).toBe(300);
    expect(approvalTimeoutS({ GT_APPROVAL_TIMEOUT: '5m' })).toBe(300);
    expect(approvalTimeoutS({ GT_APPROVAL_TIMEOUT: '1h' })).toBe(3600);
    expect(approvalTimeoutS({ GT_APPROVAL_TIMEOUT: '45s' })).toBe(45);
    for (const bad of ['0', 'soon', '-3', '100000h'])
      expect(approvalTimeoutS({ GT_APPROVAL_TIMEOUT: bad })).toBe(300);
  });

  it('quotes them for a bash command line so bash reads back the same words', () => {
    const env = { GT_APPROVAL_TIMEOUT: '60' };
    const words = execFileSync('bash', ['-c', `printf '%s\\0' ${permissionFlags(env)}`], { encoding: 'utf8' })
      .split('\0')
      .slice(0, -1);
    expect(words).toEqual(permissionArgs(env));
  });
});
