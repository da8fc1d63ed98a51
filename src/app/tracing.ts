import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { enableTracing, tracingEnabled } from '../bus/tracing.ts';

/**
 * OpenTelemetry tracing for one process (the service, a rig runner, a CLI call), configured by
 * the standard OTEL_* variables and OFF unless one of them asks for it (docs/operations.md,
 * "Tracing"). The SDK is imported only then: a CLI call without tracing loads none of it.
 *
 * The lean pieces of the Node SDK are used (tracer provider, AsyncLocalStorage context manager,
 * OTLP/HTTP exporter) rather than `@opentelemetry/sdk-node`, which also brings gRPC, metrics and
 * logs exporters and auto-instrumentation: every `gt` call of every polecat would load them.
 * Context crosses processes as a W3C `traceparent` (src/bus/trace-headers.ts), so no global
 * propagator is needed.
 */
export interface Tracing {
  /** Exports what is buffered (bounded wait), then turns tracing off. */
  shutdown(): Promise<void>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The exporter the variables ask for, or null (tracing off). */
export function requestedExporter(env: Env): 'otlp' | 'console' | null {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return null;
  // The first named exporter: a list like "otlp,console" is not supported beyond its first.
  const named = (env.OTEL_TRACES_EXPORTER ?? '').split(',')[0]?.trim().toLowerCase() ?? '';
  if (named === 'otlp' || named === 'console') return named;
  if (named !== '') return null; // `none`, or one this build does not have: off, not a crash
  return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? 'otlp' : null;
}

export interface TracingOptions {
  /** Where spans go instead of what the variables say (tests: an InMemorySpanExporter). */
  exporter?: SpanExporter;
  /** How long `shutdown` waits for the last export (a CLI call must not hang on a dead collector). */
  flushMs?: number;
  warn?: (message: string) => void;
}

/**
 * Starts tracing when the variables (or `options.exporter`) ask for it; null otherwise.
 * `serviceName` is the default `service.name` (OTEL_SERVICE_NAME overrides it).
 */
export async function startTracing(
  serviceName: string,
  env: Env = process.env,
  options: TracingOptions = {},
): Promise<Tracing | null> {
  const kind = options.exporter ? 'given' : requestedExporter(env);
  // Already on in this process: whoever started it owns (and shuts down) the one provider.
  if (kind === null || tracingEnabled()) return null;
  const [sdk, hooks, resources] = await Promise.all([
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/resources'),
  ]);
  const api = await import('@opentelemetry/api');
  const { context, trace } = api;
  const exporter = options.exporter ?? (await configuredExporter(kind, env, options.warn));
  const resource = resources.resourceFromAttributes({ 'service.name': serviceName }).merge(
    resources.detectResources({
      detectors: [resources.resourceAttributesEnvDetector, resources.serviceNameEnvDetector],
    }),
  );
  const provider = new sdk.TracerProvider({
    resource,
    sampler: samplerOf(sdk, env, options.warn),
    spanProcessors: [
      // A given exporter sees every span as it ends (tests read it at once); a real one batches.
      options.exporter
        ? new sdk.SimpleSpanProcessor({ exporter })
        : new sdk.BatchSpanProcessor({ exporter, ...batchOptions(env) }),
    ],
  });
  const contextManager = new hooks.AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  enableTracing(api);
  return {
    shutdown: async () => {
      enableTracing(null);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        provider.shutdown().catch(() => undefined),
        new Promise((done) => {
          timer = setTimeout(done, options.flushMs ?? 5_000);
        }),
      ]);
      clearTimeout(timer);
      trace.disable();
      context.disable();
    },
  };
}

async function configuredExporter(
  kind: 'otlp' | 'console' | 'given',
  env: Env,
  warn: TracingOptions['warn'],
): Promise<SpanExporter> {
  if (kind === 'console') return new (await import('@opentelemetry/sdk-trace')).ConsoleSpanExporter();
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/json';
  if (protocol !== 'http/json')
    warn?.(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported here; exporting OTLP over http/json`);
  // Endpoint, headers (an API key: never logged), timeout and compression come from the
  // OTEL_EXPORTER_OTLP_* variables, read by the exporter itself.
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  return new OTLPTraceExporter();
}

/** The standard OTEL_BSP_* variables (this SDK's batch processor does not read them itself). */
function batchOptions(env: Env) {
  const positive = (name: string) => {
    const n = Number(env[name]);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  };
  const options = {
    scheduledDelayMillis: positive('OTEL_BSP_SCHEDULE_DELAY'),
    exportTimeoutMillis: positive('OTEL_BSP_EXPORT_TIMEOUT'),
    maxQueueSize: positive('OTEL_BSP_MAX_QUEUE_SIZE'),
    maxExportBatchSize: positive('OTEL_BSP_MAX_EXPORT_BATCH_SIZE'),
  };
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}

type Sdk = typeof import('@opentelemetry/sdk-trace');

/** OTEL_TRACES_SAMPLER / _ARG; default parentbased_always_on (the specification's). */
function samplerOf(sdk: Sdk, env: Env, warn: TracingOptions['warn']) {
  const name = (env.OTEL_TRACES_SAMPLER ?? '').trim().toLowerCase() || 'parentbased_always_on';
  const arg = Number.parseFloat(env.OTEL_TRACES_SAMPLER_ARG ?? '');
  const ratio = Number.isFinite(arg) && arg >= 0 && arg <= 1 ? arg : 1;
  const root = {
    always_on: () => new sdk.AlwaysOnSampler(),
    always_off: () => new sdk.AlwaysOffSampler(),
    traceidratio: () => new sdk.TraceIdRatioBasedSampler(ratio),
  };
  const plain = name.replace(/^parentbased_/, '') as keyof typeof root;
  if (!(plain in root)) {
    warn?.(`OTEL_TRACES_SAMPLER=${name} is not supported; using parentbased_always_on`);
    return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
  }
  const sampler = root[plain]();
  return name.startsWith('parentbased_') ? new sdk.ParentBasedSampler({ root: sampler }) : sampler;
}
