import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { permissionFlags } from '../agent/permission-server/flags.ts';
import { RigRunner } from '../agent/rig-runner.ts';
import { writeShims } from '../agent/shims.ts';
import { resolveHome } from '../app/config.ts';
import { makeHomePrivate } from '../app/private-home.ts';
import { startTracing } from '../app/tracing.ts';
import { callApi } from '../bus/api-client.ts';
import { connectService } from '../bus/connection.ts';
import {
  asNatsCredentials,
  type CredentialsFile,
  findCredentials,
  operatorCredentialsPath,
  runnerCredentialsPath,
} from '../bus/credentials.ts';
import { actorOf, DEFAULT_SUBJECT_PREFIX, type Identity, inboxPrefixFor } from '../bus/subjects.ts';
import { optInt, optString } from '../commands/args.ts';
import { parseWords, type Syntax } from '../commands/syntax.ts';
import { DomainError } from '../domain/errors.ts';
import type { Rig } from '../domain/rig.ts';
import { parseRigName } from '../domain/rig.ts';
import { polecatCommand } from '../domain/runtime-presets.ts';
import { discoverNatsUrl } from './discovery.ts';
import { RIG_RUN } from './local-verbs.ts';
import { EXIT, type Output } from './output.ts';
import { shutdownDeadlineMs, stopWithin } from './shutdown-deadline.ts';

const SYNTAX: Syntax = {
  positionals: [{ name: 'name', required: true }],
  flags: {
    'max-polecats': { type: 'string', description: 'polecats this runner runs at once (default: the rig’s)' },
    nats: { type: 'string', description: 'NATS URL (default: GT_NATS_URL or $GT_HOME/runtime.json)' },
    home: { type: 'string', description: 'GT_HOME' },
  },
};

export async function runRigRunner(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  io: Output,
): Promise<number> {
  let name: string;
  let max: number | undefined;
  let flags: { nats?: string; home?: string };
  try {
    const args = parseWords(argv, SYNTAX, RIG_RUN.usage);
    name = parseRigName(optString(args, 'name'));
    max = optInt(args, 'max-polecats', 1, 1000);
    flags = {
      ...(optString(args, 'nats') && { nats: optString(args, 'nats') as string }),
      ...(optString(args, 'home') && { home: optString(args, 'home') as string }),
    };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    io.err(`error: ${err.message}`);
    return EXIT.usage;
  }
  const home = resolveHome(flags.home, env);
  // Worktrees, prompts, polecat logs and whatever the polecats write stay owner-only.
  const homeWarning = makeHomePrivate(home);
  if (homeWarning) io.err(homeWarning);
  let natsUrl: string;
  try {
    natsUrl = discoverNatsUrl(flags, env);
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return EXIT.unreachable;
  }
  const prefix = env.GT_SUBJECT_PREFIX || DEFAULT_SUBJECT_PREFIX;
  const runnerIdentity: Identity = { kind: 'runner', rig: name };
  let login: CredentialsFile | null;
  try {
    login = findCredentials(env, [runnerCredentialsPath(home, name), operatorCredentialsPath(home)]);
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return EXIT.usage;
  }
  const nc = await connectService(natsUrl, `gt-rig-run-${name}-${process.pid}`, {
    credentials: asNatsCredentials(login),
    inboxPrefix: inboxPrefixFor(prefix, runnerIdentity),
  });
  // Off unless an OTEL_* variable asks for it: then each polecat start is a span of its dispatch's trace.
  const tracing = await startTracing('gastown-ops-runner', env, { warn: (m) => io.err(`[${name}] ${m}`) });
  // A refused subject (a permission the runner lacks) would otherwise only show as a timeout.
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'error') io.err(`[${name}] NATS: ${s.error.message}`);
  })();
  try {
    const rigs = await callApi(nc, prefix, {
      verb: 'gt rig list',
      args: {},
      actor: actorOf(runnerIdentity),
    });
    const rig = rigs.ok ? (rigs.data as Rig[]).find((r) => r.name === name) : undefined;
    if (!rig) {
      io.err(
        `error: rig ${name} is not registered; add it with gt rig add ${name} --prefix <pfx> --repo PATH`,
      );
      return EXIT.refused;
    }
    if (!rig.repo || !existsSync(join(rig.repo, '.git'))) {
      io.err(
        `error: rig ${name} has no git repository at ${rig.repo ?? '(none)'}; re-add the rig with --repo PATH of a git checkout`,
      );
      return EXIT.refused;
    }
    const runner = new RigRunner({
      nc,
      natsUrl,
      prefix,
      rig,
      command: polecatCommand(rig, permissionFlags(env)),
      home,
      maxPolecats: max ?? rig.max_polecats,
      binDir: writeShims(home),
      polecatCredentials: login?.polecats,
      log: (m) => io.out(`[${name}] ${m}`),
    });
    await runner.start();
    // Listen before saying ready: whoever reacts to the ready line with SIGTERM must reach us.
    const stopRequested = new Promise<void>((done) => {
      process.once('SIGINT', done);
      process.once('SIGTERM', done);
    });
    io.out(`rig runner ${name}: ready (max ${max ?? rig.max_polecats} polecats, repo ${rig.repo})`);
    await stopRequested;
    io.out(`rig runner ${name}: stopping`);
    let draining = false;
    const late = (ms: number) =>
      io.err(
        `rig runner ${name}: shutdown took longer than GT_SHUTDOWN_DEADLINE_MS (${ms} ms) at "${draining ? 'draining the NATS connection' : runner.stopStep}"; exiting anyway`,
      );
    const stopped = runner.stop().then(async () => {
      draining = true;
      await nc.drain();
    });
    if (!(await stopWithin(stopped, shutdownDeadlineMs(env), late, EXIT.refused))) return EXIT.refused;
    io.out(`rig runner ${name}: stopped`);
    return EXIT.ok;
  } catch (err) {
    io.err(`error: ${(err as Error).message}`);
    return EXIT.refused;
  } finally {
    await nc.drain().catch(() => undefined);
    await tracing?.shutdown();
  }
}
