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

/** `GT_SHUTDOWN_DEADLINE_MS` for commands that do not load the whole service configuration. */
export function shutdownDeadlineMs(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.GT_SHUTDOWN_DEADLINE_MS);
  return Number.isInteger(ms) && ms >= 1 ? ms : 10_000;
}
