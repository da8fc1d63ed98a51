import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CollectedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  attributes: Record<string, unknown>;
}

type AnyValue = { stringValue?: string; intValue?: string | number; boolValue?: boolean };
type KeyValue = { key: string; value: AnyValue };
interface OtlpJson {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        attributes?: KeyValue[];
      }>;
    }>;
  }>;
}

const scalar = (v: AnyValue) => v.stringValue ?? v.intValue ?? v.boolValue;
const record = (kvs: KeyValue[] = []) => Object.fromEntries(kvs.map((kv) => [kv.key, scalar(kv.value)]));

/**
 * A tiny OTLP/HTTP (JSON) receiver: what a collector is to the processes under test. The service,
 * the runner and the CLI are child processes, so an in-process exporter cannot see their spans;
 * they export here over the real protocol instead (OTEL_EXPORTER_OTLP_ENDPOINT).
 */
export class OtlpCollector {
  readonly spans: CollectedSpan[] = [];
  readonly endpoint: string;
  private readonly server: Server;

  private constructor(server: Server, endpoint: string) {
    this.server = server;
    this.endpoint = endpoint;
  }

  static async start(): Promise<OtlpCollector> {
    let collector: OtlpCollector | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/v1/traces')
          collector?.take(JSON.parse(Buffer.concat(chunks).toString()) as OtlpJson);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const { port } = server.address() as AddressInfo;
    collector = new OtlpCollector(server, `http://127.0.0.1:${port}`);
    return collector;
  }

  private take(body: OtlpJson): void {
    for (const rs of body.resourceSpans ?? []) {
      const service = String(record(rs.resource?.attributes)['service.name'] ?? '');
      for (const ss of rs.scopeSpans ?? [])
        for (const s of ss.spans ?? [])
          this.spans.push({
            service,
            name: s.name,
            traceId: s.traceId,
            spanId: s.spanId,
            parentSpanId: s.parentSpanId ?? '',
            attributes: record(s.attributes),
          });
    }
  }

  close(): Promise<void> {
    return new Promise((done) => this.server.close(() => done()));
  }
}
