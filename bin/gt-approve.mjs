#!/usr/bin/env node
// The permission-prompt MCP server an agent CLI starts (Claude Code's --permission-prompt-tool
// mcp__gt__approve; docs/approvals.md): src/agent/permission-server/main.ts, on a Node that can
// run it (launch.mjs resolves the entry relative to src/cli/).
import { launch } from './launch.mjs';

await launch('../agent/permission-server/main', import.meta.url);
