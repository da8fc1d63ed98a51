import { SETTINGS } from '../app/config-schema.ts';

/**
 * The last step of a long-running command (`gt up`, `gt rig run`): its ordered stop races a timer.
 * A step that hangs (a peer that never answers a drain, a pull that never ends) must not keep the
 * process alive: past the deadline it says so and the process exits even if that step still holds
 * a handle open.
 */
export async function stopWithin(
  work: Promise<void>,
  ms: number,
  late: (ms: number) => void,
  exitCode: number,
): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = await Promise.race([work.then(() => true as const), expired]);
  clearTimeout(timer);
  if (done) return true;
  late(ms);
  // The caller returns its exit code first; this only ends a process something still holds open.
  setTimeout(() => process.exit(exitCode), 1000).unref();
  return false;
}

/**
 * `GT_SHUTDOWN_DEADLINE_MS` as the settings table defines it, for commands that do not load the
 * whole service configuration (`gt rig run`); a value it refuses falls back to the default.
 */
export function shutdownDeadlineMs(env: NodeJS.ProcessEnv): number {
  const setting = SETTINGS.GT_SHUTDOWN_DEADLINE_MS;
  const parsed = setting.schema.safeParse(env.GT_SHUTDOWN_DEADLINE_MS?.trim() || setting.default);
  return parsed.success ? parsed.data : Number(setting.default);
}
