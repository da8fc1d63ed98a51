import { usageError } from '../../domain/errors.ts';
import { DEFAULT_BATCH, MAX_BATCH } from '../../domain/merge-batch.ts';
import {
  describeMergePolicy,
  MAX_GATE_RETRIES,
  MAX_PARALLEL,
  type MergePolicy,
  parseBatch,
  parseGateRetries,
  parseGates,
  parseGateTimeout,
  parseMergeStrategy,
  parseMergeStyle,
  parseParallel,
} from '../../domain/merge-policy.ts';
import { parseEnvNames } from '../../domain/polecat-env.ts';
import {
  describeFreeze,
  parseMaxPolecats,
  parseRigName,
  parseRigPrefix,
  parseRuntime,
  type Rig,
} from '../../domain/rig.ts';
import { presetNames } from '../../domain/runtimes/index.ts';
import { describeLimit, isPauseOpen } from '../../domain/usage-limit.ts';
import { list, optString, reqString } from '../args.ts';
import { defineCommand } from '../command.ts';
import type { Args } from '../syntax.ts';

/** The merge policy flags, shared by `gt rig add` and `gt rig set` (rig-set.ts). */
export const MERGE_POLICY_FLAGS = {
  merge: {
    type: 'string',
    description: 'mr (through the merge queue; default with --repo), direct or local',
  },
  gate: {
    type: 'string',
    list: true,
    whole: true,
    description: 'a command that must pass before work lands, e.g. "npm test" (repeatable); none: no gates',
  },
  'gate-timeout': { type: 'string', description: 'per gate, e.g. 90s, 15m (default), 2h' },
  'gate-retries': {
    type: 'string',
    description: `reruns of a gate that exits non-zero (a flaky test), 0 (default) to ${MAX_GATE_RETRIES}; a timeout or a missing command (exit 126/127) is never rerun`,
  },
  'merge-style': { type: 'string', description: 'rebase (default), merge or squash' },
  batch: {
    type: 'string',
    description: `merge requests verified together, 1 (one at a time) to ${MAX_BATCH}; default ${DEFAULT_BATCH}`,
  },
  parallel: {
    type: 'string',
    description: `verifications of a failing batch run at once, 1 (default) to ${MAX_PARALLEL}: pays when gates leave cores idle`,
  },
} as const;

export const MERGE_POLICY_USAGE =
  '[--merge mr|direct|local] [--gate CMD]… | [--gate none] [--gate-timeout DURATION] [--gate-retries N] [--merge-style rebase|merge|squash] [--batch N] [--parallel K]';

export const gtRigAdd = defineCommand<Rig>({
  path: ['gt', 'rig', 'add'],
  summary: 'Register a rig (a project repository with its own bead prefix)',
  usage: `gt rig add <name> --prefix <pfx> [--repo PATH] [--max-polecats N] [--runtime PRESET | --command CMD] [--env NAME]… ${MERGE_POLICY_USAGE}`,
  syntax: {
    positionals: [{ name: 'name', required: true }],
    flags: {
      prefix: { type: 'string', description: 'bead id prefix, e.g. gt' },
      repo: { type: 'string', description: 'path of the git repository' },
      'max-polecats': { type: 'string', description: 'concurrent polecats (default 10)' },
      runtime: { type: 'string', description: `agent runtime preset: ${presetNames().join(', ')}` },
      command: { type: 'string', description: 'shell command to run as the polecat' },
      env: {
        type: 'string',
        list: true,
        description: 'a variable of the runner’s environment its polecats may see, e.g. ANTHROPIC_API_KEY',
      },
      ...MERGE_POLICY_FLAGS,
    },
  },
  mutates: true,
  async run(args, ctx) {
    const prefix = optString(args, 'prefix');
    if (prefix === undefined)
      throw usageError('missing_prefix', 'give the rig a bead prefix: gt rig add <name> --prefix <pfx>');
    const runtime = optString(args, 'runtime');
    const command = optString(args, 'command');
    if (runtime !== undefined && command !== undefined) {
      throw usageError('runtime_and_command', 'give either --runtime or --command, not both');
    }
    const max = optString(args, 'max-polecats');
    const repo = optString(args, 'repo');
    const env = parseEnvNames(list(args, 'env'));
    const repos = ctx.services.repos;
    if (repo !== undefined && repos && !(await repos.isRepo(repo)))
      throw usageError(
        'not_a_repository',
        `--repo ${repo} is not a git repository; give the path of a git checkout (or a bare repository)`,
      );
    // Where work lands is fixed now: the branch the repository's HEAD names today.
    const target = repo !== undefined && repos ? await repos.defaultBranch(repo) : null;
    const { gate_retries, ...given } = mergePolicyArgs(args);
    // Absent is 0 (as in every policy stored before retries existed): only a real count is stored.
    const mergePolicy = { ...given, ...(gate_retries && { gate_retries }), ...(target && { target }) };
    const rig = await ctx.services.ledger.addRig(
      {
        name: parseRigName(reqString(args, 'name')),
        prefix: parseRigPrefix(prefix),
        ...(repo !== undefined && { repo }),
        ...(max !== undefined && { max_polecats: parseMaxPolecats(max) }),
        ...(runtime !== undefined && { runtime: parseRuntime(runtime) }),
        ...(command !== undefined && { command }),
        env,
        merge_policy: mergePolicy,
      },
      ctx.write(),
    );
    return { data: rig };
  },
  text: (rig) => `rig ${rig.name} added (prefix ${rig.prefix}-)`,
});

export const gtRigList = defineCommand<Rig[]>({
  path: ['gt', 'rig', 'list'],
  summary: 'List rigs',
  usage: 'gt rig list',
  syntax: { positionals: [], flags: {} },
  mutates: false,
  run: async (_args, ctx) => ({ data: await ctx.services.ledger.listRigs() }),
  text: (rigs) =>
    rigs.length === 0
      ? 'No rigs yet. Add one: gt rig add <name> --prefix <pfx>'
      : rigs.map(rigLine).join('\n'),
});

/** The merge policy flags given (`gt rig add`: the rest take the defaults; `gt rig set`: the rest stay). */
export function mergePolicyArgs(args: Args): Partial<MergePolicy> {
  const merge = optString(args, 'merge');
  const gates = parseGates(list(args, 'gate'));
  const timeout = optString(args, 'gate-timeout');
  const retries = optString(args, 'gate-retries');
  const style = optString(args, 'merge-style');
  const batch = optString(args, 'batch');
  const parallel = optString(args, 'parallel');
  return {
    ...(merge !== undefined && { merge: parseMergeStrategy(merge) }),
    ...(gates !== null && { gates }),
    ...(timeout !== undefined && { gate_timeout_s: parseGateTimeout(timeout) }),
    ...(retries !== undefined && { gate_retries: parseGateRetries(retries) }),
    ...(style !== undefined && { merge_style: parseMergeStyle(style) }),
    ...(batch !== undefined && { batch: parseBatch(batch) }),
    ...(parallel !== undefined && { parallel: parseParallel(parallel) }),
  };
}

function rigLine(r: Rig): string {
  const parts = [r.name, `prefix ${r.prefix}-`, `max ${r.max_polecats}`];
  if (r.parked) parts.push('(parked)');
  if (r.repo) parts.push(r.repo);
  // Only names: the values stay in the runner's environment.
  if (r.env.length > 0) parts.push(`env ${r.env.join(',')}`);
  if (r.repo) parts.push(`merge ${describeMergePolicy(r.merge_policy)}`);
  if (r.mq_frozen) parts.push(`⏸ ${describeFreeze(r.mq_frozen)}`);
  if (r.account) parts.push(`account ${r.account}`);
  if (isPauseOpen(r.usage_limit)) parts.push(`⏸ paused: ${describeLimit(r.usage_limit)}`);
  return parts.join('  ');
}

const parking = (parked: boolean) =>
  defineCommand<Rig>({
    path: ['gt', 'rig', parked ? 'park' : 'unpark'],
    summary: parked ? 'Park a rig: nothing new is dispatched to it' : 'Unpark a rig',
    usage: `gt rig ${parked ? 'park' : 'unpark'} <name>`,
    syntax: { positionals: [{ name: 'name', required: true }], flags: {} },
    mutates: true,
    run: async (args, ctx) => ({
      data: await ctx.services.ledger.setRigParked(
        parseRigName(reqString(args, 'name')),
        parked,
        ctx.write(),
      ),
    }),
    text: (rig) => `rig ${rig.name} ${rig.parked ? 'parked' : 'unparked'}`,
  });

export const gtRigPark = parking(true);
export const gtRigUnpark = parking(false);
