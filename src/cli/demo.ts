import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, openSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { resolveHome } from '../app/config.ts';
import { makeHomePrivate, PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../app/private-home.ts';
import { readRuntime } from '../app/runtime-file.ts';
import { endWithParent, stopChild } from '../bus/child-process.ts';
import { flag, optInt, optString } from '../commands/args.ts';
import { progressText } from '../commands/gt/convoy/progress.ts';
import { parseWords, type Syntax } from '../commands/syntax.ts';
import { DomainError } from '../domain/errors.ts';
import { redactUrlPasswords } from '../domain/redact-url.ts';
import { ApiSession } from './api-session.ts';
import { watchConvoys } from './convoy-watch.ts';
import { DEMO_RIGS, demoMainLog, prepareDemoTown, stageDemoConvoy } from './demo-town.ts';
import { LiveFrame } from './live-frame.ts';
import { DEMO } from './local-verbs.ts';
import { EXIT, type Output } from './output.ts';

const SYNTAX: Syntax = {
  positionals: [],
  flags: {
    home: { type: 'string', description: 'GT_HOME (the demo lives in $GT_HOME/demo)' },
    'http-port': { type: 'string', description: 'HTTP port of the service the demo starts (default 8420)' },
    pace: { type: 'string', description: 'seconds each demo polecat works (default 2)' },
    exit: { type: 'boolean', description: 'stop the service the demo started once the convoy landed' },
  },
};

const GT_BIN = resolve(import.meta.dirname, '../../bin/gt.mjs');
const LAND_TIMEOUT_MS = 120_000;

/**
 * `gt demo`: joins the running town (or starts `gt up` when there is none), prepares two rigs on
 * git repositories under $GT_HOME/demo, stages and launches a convoy, runs one rig runner per rig
 * with the `shell` runtime and shows the waves being fed until the convoy lands. Then it says
 * where the branches are; a service it started keeps serving (Ctrl-C stops it) unless --exit.
 */
export async function runDemo(argv: readonly string[], env: NodeJS.ProcessEnv, io: Output): Promise<number> {
  let args: ReturnType<typeof parseWords>;
  let pace: number;
  try {
    args = parseWords(argv, SYNTAX, DEMO.usage);
    pace = optInt(args, 'pace', 0, 60) ?? 2;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    io.err(`error: ${err.message}`);
    return EXIT.usage;
  }
  const home = resolveHome(optString(args, 'home'), env);
  // The demo's repositories, logs and the town it starts (which inherits the umask) stay owner-only.
  const homeWarning = makeHomePrivate(home);
  if (homeWarning) io.err(homeWarning);
  const childEnv = { ...env, GT_HOME: home };
  const runners: ChildProcess[] = [];
  let started: ChildProcess | null = null;
  try {
    const service = await joinOrStartService(home, childEnv, optString(args, 'http-port'), io);
    started = service.child;
    const api = await ApiSession.open(service.natsUrl, childEnv, 'gt-demo');
    try {
      await showDemo(api, home, { ...childEnv, GT_NATS_URL: service.natsUrl }, pace, runners, io);
    } finally {
      await api.close();
    }
    await stopChildren(runners);
    if (started && !flag(args, 'exit')) await keepServing(service, io);
    return EXIT.ok;
  } catch (err) {
    io.err(`error: ${redactUrlPasswords((err as Error).message)}`);
    return EXIT.refused;
  } finally {
    await stopChildren(runners);
    if (started) await stopChild(started);
  }
}

async function showDemo(
  api: ApiSession,
  home: string,
  env: NodeJS.ProcessEnv,
  pace: number,
  runners: ChildProcess[],
  io: Output,
): Promise<void> {
  const demoDir = join(home, 'demo');
  const repos = await prepareDemoTown(api, demoDir, pace);
  const { convoy, waves } = await stageDemoConvoy(api);
  io.out(`Staged ${convoy}: 7 beads in ${waves} waves across ${DEMO_RIGS.map((r) => r.name).join(' and ')}.`);
  mkdirSync(join(demoDir, 'logs'), { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const rig of DEMO_RIGS)
    runners.push(startChild(['rig', 'run', rig.name], env, join(demoDir, 'logs', `${rig.name}-runner.log`)));
  const started = Date.now();
  // The stage warns that the convoy crosses rigs: that is the point of the demo, hence --force.
  await api.run('gt', ['convoy', 'launch', convoy, '--force']);
  io.out('Launched: wave 1 is dispatched; each close feeds the next wave.\n');
  const frame = new LiveFrame(io.out, Boolean(process.stdout.isTTY));
  const landed = await watchConvoys(api, [convoy], (p) => frame.draw(p.map(progressText).join('\n')), {
    timeoutMs: LAND_TIMEOUT_MS,
  });
  if (!landed)
    throw new Error(
      `the demo convoy did not land in ${LAND_TIMEOUT_MS / 1000} s; see ${join(demoDir, 'logs')}`,
    );
  io.out(
    `\n✅ ${convoy} landed in ${((Date.now() - started) / 1000).toFixed(1)} s. Every polecat's work is on main, verified by the merge queue:`,
  );
  for (const rig of DEMO_RIGS) {
    const repo = repos[rig.name] as string;
    io.out(`  ${rig.name}  git -C ${repo} log --oneline main`);
    for (const line of demoMainLog(repo)) io.out(`    ${line}`);
  }
  const reworked = (await api.run<Array<{ status: string }>>('gt', ['mq', 'list', '--all'])).filter(
    (mr) => mr.status === 'superseded',
  ).length;
  if (reworked > 0)
    io.out(
      `The queue sent ${reworked} change(s) back for rework (a CHANGELOG conflict) before landing: npx gt mq list --all`,
    );
  const open = await api.run<Array<{ id: string; title: string }>>('gt', ['escalation', 'list']);
  for (const e of open) io.out(`A polecat asked a person: ${e.id} "${e.title}" — npx gt escalation list`);
  io.out(`Look at them:  git -C ${repos['demo-web']} log --oneline --graph main`);
  io.out(`Replay what happened:  npx gt feed --last 60 · npx gt convoy status ${convoy}`);
}

async function joinOrStartService(
  home: string,
  env: NodeJS.ProcessEnv,
  httpPort: string | undefined,
  io: Output,
): Promise<{ natsUrl: string; httpUrl: string; child: ChildProcess | null }> {
  const running = env.GT_NATS_URL ? { nats_url: env.GT_NATS_URL, http_url: '' } : readRuntime(home);
  if (running?.nats_url && (await answers(running.nats_url, env))) {
    io.out(`Using the running town at ${redactUrlPasswords(running.nats_url)} (home ${home}).`);
    return { natsUrl: running.nats_url, httpUrl: running.http_url, child: null };
  }
  io.out(`Starting the service (gt up, home ${home})…`);
  const child = startChild(
    ['up', ...(httpPort ? ['--http-port', httpPort] : [])],
    env,
    join(home, 'gt-up.log'),
  );
  await untilServing(child, home, join(home, 'gt-up.log'));
  const runtime = readRuntime(home);
  if (!runtime) throw new Error('gt up started but wrote no runtime.json');
  io.out(`Service ready: nats ${redactUrlPasswords(runtime.nats_url)}, http ${runtime.http_url}.`);
  return { natsUrl: runtime.nats_url, httpUrl: runtime.http_url, child };
}

/** Resolves once the child wrote runtime.json (it does when ready); fails if it exits first. */
function untilServing(child: ChildProcess, home: string, logFile: string): Promise<void> {
  return new Promise((ready, fail) => {
    const since = Date.now();
    const finish = (then: () => void) => {
      clearInterval(poll);
      child.off('exit', onExit);
      then();
    };
    const onExit = (code: number | null) =>
      finish(() => fail(new Error(`gt up exited (${code}); see ${logFile}`)));
    const poll = setInterval(() => {
      if (readRuntime(home)?.pid === child.pid) finish(ready);
      else if (Date.now() - since > 30_000)
        finish(() => fail(new Error(`gt up did not become ready in 30 s; see ${logFile}`)));
    }, 100);
    child.once('exit', onExit);
  });
}

/** True when a service answers on that NATS (a stale runtime.json is not a town). */
async function answers(natsUrl: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    // A probe: a NATS server without a service answers "nobody" at once, and that is the answer.
    const api = await ApiSession.open(natsUrl, env, 'gt-demo-probe', { unansweredGraceMs: 0 });
    try {
      await api.run('gt', ['rig', 'list']);
      return true;
    } finally {
      await api.close();
    }
  } catch {
    return false;
  }
}

function startChild(args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a', PRIVATE_FILE_MODE);
  const child = spawn(process.execPath, [GT_BIN, ...args], { env, stdio: ['ignore', log, log] });
  endWithParent(child); // the town the demo started never outlives it
  return child;
}

async function stopChildren(children: ChildProcess[]): Promise<void> {
  for (const child of children.splice(0)) await stopChild(child);
}

async function keepServing(service: { natsUrl: string; httpUrl: string }, io: Output): Promise<void> {
  io.out(
    [
      '',
      `The town keeps running (nats ${redactUrlPasswords(service.natsUrl)}, http ${service.httpUrl}). In another terminal:`,
      '  npx gt convoy list --all        npx gt feed        npx bd list --all',
      '  npx gt rig run demo-api         (a runner, to sling more work: npx gt sling <bead>)',
      'Chat: set SLACK_* or DISCORD_* and restart (docs/slack.md, docs/discord.md).',
      'Ctrl-C stops the town.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
}
