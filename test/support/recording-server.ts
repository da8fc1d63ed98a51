import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** JSON bodies parsed; form bodies as an object; anything else as text. */
  body: Record<string, unknown> | string;
  at: number;
  /** What the server answered (the ts/id the service then stored). */
  answer?: unknown;
}

type Answer = (
  r: Recorded,
) => { status?: number; headers?: Record<string, string>; body?: unknown } | undefined;

/**
 * A local HTTP server standing in for the Slack Web API, Slack response URLs and the Discord
 * REST API: it records every request the service sends and answers like the platform would
 * (`{ok:true, ts}` for Slack methods, a message object for Discord). Tests can override answers
 * (a 429, an error) per request.
 */
export class RecordingServer {
  readonly requests: Recorded[] = [];
  private server: Server | null = null;
  private answers: Answer[] = [];
  url = '';
  private seq = 0;

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => {
        raw += c.toString();
      });
      req.on('end', () => {
        const r: Recorded = {
          method: req.method ?? 'GET',
          path: (req.url ?? '/').split('?')[0] ?? '/',
          headers: req.headers,
          body: parseBody(raw, String(req.headers['content-type'] ?? '')),
          at: Date.now(),
        };
        this.requests.push(r);
        const custom = this.answers.map((a) => a(r)).find((a) => a !== undefined);
        const answer = custom ?? this.defaultAnswer(r);
        r.answer = answer.body;
        // Like the platforms: a 204 has no body and no content type.
        const type = answer.body === undefined ? {} : { 'content-type': 'application/json' };
        res.writeHead(answer.status ?? 200, { ...type, ...(answer.headers ?? {}) });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', () => r()));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this;
  }

  /** Adds an answer that wins over the defaults when it returns something. */
  answer(a: Answer): void {
    this.answers.push(a);
  }

  private defaultAnswer(r: Recorded): { status?: number; headers?: Record<string, string>; body?: unknown } {
    const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
    const body = typeof r.body === 'object' ? r.body : {};
    if (r.path.startsWith('/api/v10/')) {
      if (r.method === 'DELETE') return { status: 204 };
      return { body: { id: `${Date.now()}${this.seq}`, channel_id: body.channel_id ?? '0', ...body } };
    }
    if (r.path.startsWith('/api/usergroups.users.list')) return { body: { ok: true, users: [] } };
    if (r.path.startsWith('/api/'))
      return { body: { ok: true, ts, channel: body.channel ?? 'C0', message: { ts } } };
    return { body: { ok: true } };
  }

  /** Requests whose path starts with `prefix`. */
  to(prefix: string): Recorded[] {
    return this.requests.filter((r) => r.path.startsWith(prefix));
  }

  /** Waits until `count` requests to `prefix` arrived. */
  async waitFor(prefix: string, count = 1, timeoutMs = 10_000): Promise<Recorded[]> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.to(prefix);
      if (found.length >= count) return found;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(
      `no ${count} request(s) to ${prefix} in ${timeoutMs} ms; saw ${this.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`,
    );
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }
}

function parseBody(raw: string, type: string): Record<string, unknown> | string {
  if (raw === '') return {};
  try {
    if (type.includes('json')) return JSON.parse(raw);
    if (type.includes('x-www-form-urlencoded')) {
      const form = Object.fromEntries(new URLSearchParams(raw));
      for (const [k, v] of Object.entries(form)) {
        if (/^(blocks|attachments|payload)$/.test(k)) form[k] = JSON.parse(v);
      }
      return form;
    }
  } catch {
    // fall through: keep the text
  }
  return raw;
}
