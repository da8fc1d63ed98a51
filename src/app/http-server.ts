import { createServer, type RequestListener, type Server } from 'node:http';

/**
 * A readiness probe: resolves when the dependency answers, rejects (with a reason) when not.
 * `details` says how the dependency is used (e.g. the ledger's adapter mode), shown under its name.
 */
export type ReadinessCheck = {
  name: string;
  check: () => Promise<void>;
  details?: () => Record<string, string>;
};

export interface HttpServer {
  url: string;
  close(): Promise<void>;
}

/**
 * The service's HTTP endpoint: `/livez` (the event loop answers), `/readyz` (every dependency
 * answers), and the routes the chat surfaces mount (`/slack/events`, `/discord/interactions`).
 */
export async function startHttpServer(options: {
  host: string;
  port: number;
  checks: readonly ReadinessCheck[];
  isShuttingDown: () => boolean;
  routes?: ReadonlyMap<string, RequestListener>;
}): Promise<HttpServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = options.routes?.get(path);
    if (route) return void route(req, res);
    if (path === '/livez') return send(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      void readiness(options).then((body) => send(res, body.ready ? 200 : 503, body));
      return;
    }
    send(res, 404, { error: 'not found; try /livez, /readyz or /metrics' });
  });
  await listen(server, options.host, options.port);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function readiness(options: { checks: readonly ReadinessCheck[]; isShuttingDown: () => boolean }) {
  const checks: Record<string, string> = {};
  if (options.isShuttingDown()) checks.service = 'shutting down';
  await Promise.all(
    options.checks.map(async ({ name, check }) => {
      try {
        await withTimeout(check(), 2000);
        checks[name] = 'ok';
      } catch (err) {
        checks[name] = err instanceof Error ? err.message : String(err);
      }
    }),
  );
  const details = Object.fromEntries(
    options.checks.flatMap(({ name, details: describe }) => (describe ? [[name, describe()]] : [])),
  );
  return { ready: Object.values(checks).every((v) => v === 'ok'), checks, details };
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return Promise.race([
    p,
    new Promise<void>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref()),
  ]);
}

function send(res: import('node:http').ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`HTTP port ${port} is in use; pass --http-port N (0 = any free port)`)
          : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
}
