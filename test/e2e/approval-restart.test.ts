import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVE_BIN } from '../../src/agent/permission-server/flags.ts';
import { type NatsServerProcess, startNatsServer } from '../../src/bus/nats-server-process.ts';
import { waitFor } from './runner-process.ts';
import { Town } from './town.ts';

type Listed = { requests: Array<{ id: string; state: string; subject: string }> };

/**
 * An acknowledged permission request survives a restart of the service: the agent's server (the
 * real bin, driven by the SDK's client as Claude Code drives it) keeps asking while nobody
 * answers, the request is still in the ledger when the service is back, and a person's answer
 * then reaches the agent. NATS is external here so its address outlives the service.
 */
describe('a permission request across a service restart', () => {
  const town = new Town();
  let nats: NatsServerProcess;
  let client: Client | undefined;

  beforeAll(async () => {
    nats = await startNatsServer({ storeDir: `${town.home}/shared-nats` });
    await town.up(['--http-port', '0', '--nats', nats.url]);
  }, 60_000);
  afterAll(async () => {
    await client?.close();
    await town.destroy();
    await nats.stop();
  });

  it('is answered after the service restarted, as the person decided', async () => {
    await town.json('gt', ['rig', 'add', 'alpha', '--prefix', 'al', '--merge', 'local']);
    const bead = await town.json<{ id: string }>('bd', ['create', 'migrate the data', '--rig', 'alpha']);
    await town.json('gt', ['sling', bead.id]);
    const [hooked] = await town.json<Array<{ assignee: string }>>('bd', ['show', bead.id]);
    client = new Client({ name: 'fake-claude', version: '0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [APPROVE_BIN, '--timeout-s', '120'],
        // What the runner gives its polecat (no NATS auth on this external server).
        env: { ...town.env(), GT_AGENT: hooked?.assignee as string, GT_BEAD: bead.id, GT_NATS_URL: nats.url },
        stderr: 'pipe',
      }),
    );
    const call = { tool_name: 'Bash', input: { command: 'psql -f migrate.sql' }, tool_use_id: 'toolu_9' };
    const answer = client.callTool({ name: 'approve', arguments: call }, undefined, { timeout: 180_000 });
    let id = '';
    await waitFor(async () => {
      const listed = await town.json<Listed>('gt', ['approval', 'list']);
      id = listed.requests.find((r) => r.subject === 'psql -f migrate.sql')?.id ?? '';
      return id !== '';
    }, 30_000);

    await town.down();
    await town.up(['--http-port', '0', '--nats', nats.url]);
    const listed = await town.json<Listed>('gt', ['approval', 'list']);
    expect(listed.requests).toEqual([expect.objectContaining({ id, state: 'pending' })]);
    await town.json('gt', ['approval', 'allow', id, '-m', 'after the restart']);

    const result = (await answer) as { content: Array<{ text: string }> };
    expect(JSON.parse(result.content[0]?.text ?? '')).toEqual({
      behavior: 'allow',
      updatedInput: call.input,
    });
    // Asked once: the retries found the same request.
    const all = await town.json<Listed>('gt', ['approval', 'list', '--all']);
    expect(all.requests.map((r) => [r.id, r.state])).toEqual([[id, 'allow']]);
  }, 120_000);
});
