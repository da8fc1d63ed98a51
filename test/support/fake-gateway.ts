import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A local stand-in for Discord's gateway, speaking its JSON protocol as discord.js expects it:
 * HELLO on connect, READY after IDENTIFY (op 2), heartbeat ACKs, and dispatches (op 0) the test
 * pushes — here INTERACTION_CREATE. `/gateway/bot` on the REST side points the bot at `url`.
 */
export class FakeGateway {
  readonly identifies: Array<{ token: string; intents: number }> = [];
  private server: WebSocketServer | null = null;
  private sessions: WebSocket[] = [];
  private seq = 1;
  url = '';

  async start(): Promise<this> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => this.server?.once('listening', () => r()));
    const address = this.server.address();
    this.url = `ws://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    this.server.on('connection', (socket) => this.greet(socket));
    return this;
  }

  /** What the REST API answers to GET /gateway/bot. */
  botInfo(): object {
    return {
      url: this.url,
      shards: 1,
      session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
    };
  }

  get ready(): number {
    return this.sessions.length;
  }

  /** Sends a dispatch event to every identified session. */
  dispatch(t: string, d: object): void {
    const packet = JSON.stringify({ op: 0, t, s: ++this.seq, d });
    for (const s of this.sessions) s.send(packet);
  }

  /** Cuts every session as a network failure would (no close frame); clients resume. */
  dropSessions(): void {
    for (const s of this.sessions) s.terminate();
    this.sessions = [];
  }

  resumes = 0;

  async stop(): Promise<void> {
    for (const s of this.sessions) s.terminate();
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  private greet(socket: WebSocket): void {
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: 41_250 } }));
    socket.on('message', (raw) => {
      const packet = JSON.parse(String(raw)) as { op: number; d: Record<string, unknown> };
      if (packet.op === 1) socket.send(JSON.stringify({ op: 11 }));
      if (packet.op === 2) this.identified(socket, packet.d as { token: string; intents: number });
      if (packet.op === 6) this.resumed(socket);
    });
    socket.on('close', () => {
      this.sessions = this.sessions.filter((s) => s !== socket);
    });
  }

  private resumed(socket: WebSocket): void {
    this.resumes++;
    this.sessions.push(socket);
    socket.send(JSON.stringify({ op: 0, t: 'RESUMED', s: ++this.seq, d: {} }));
  }

  private identified(socket: WebSocket, d: { token: string; intents: number }): void {
    this.identifies.push({ token: d.token, intents: d.intents });
    this.sessions.push(socket);
    socket.send(
      JSON.stringify({
        op: 0,
        t: 'READY',
        s: 1,
        d: {
          v: 10,
          user: { id: '4242', username: 'gastown', discriminator: '0', global_name: null, avatar: null },
          guilds: [],
          session_id: `session-${this.identifies.length}`,
          resume_gateway_url: this.url,
          application: { id: '4242', flags: 0 },
        },
      }),
    );
  }
}
