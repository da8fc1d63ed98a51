// A fake Claude Code for end-to-end tests of permission prompts (docs/approvals.md): it reads
// its command line as `claude -p` does — `--mcp-config` (the servers, with their `timeout`) and
// `--permission-prompt-tool mcp__<server>__<tool>` — starts that MCP server with its own
// environment (as the CLI does), and calls the tool for each call of `--calls FILE` (a JSON
// array of {tool_name, input, tool_use_id}) one after the other, exactly as Claude Code does
// when a tool use needs permission. Each reply's text (the JSON decision) is appended to
// `--out FILE` as one line: {"tool_use_id", "reply"}.
import { appendFileSync, readFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(name);
  if (i < 0) throw new Error(`fake claude: missing ${name}`);
  return argv[i + 1];
};
const config = JSON.parse(opt('--mcp-config'));
const [, serverName, toolName] = opt('--permission-prompt-tool').split('__');
const server = config.mcpServers[serverName];
const transport = new StdioClientTransport({
  command: server.command,
  args: server.args,
  env: { ...process.env },
  stderr: 'inherit',
});
const client = new Client({ name: 'fake-claude', version: '0' });
await client.connect(transport);
for (const call of JSON.parse(readFileSync(opt('--calls'), 'utf8'))) {
  const result = await client.callTool({ name: toolName, arguments: call }, undefined, {
    timeout: server.timeout,
  });
  const reply = JSON.parse(result.content[0].text);
  appendFileSync(opt('--out'), `${JSON.stringify({ tool_use_id: call.tool_use_id, reply })}\n`);
}
await client.close();
