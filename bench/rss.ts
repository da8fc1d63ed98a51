import { readFileSync } from 'node:fs';

/** VmRSS of a process in MiB (Linux /proc); 0 once it has exited. */
export function rssMiB(pid: number | 'self' = 'self'): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every `everyMs` and keeps the peak, overall and per step (`stepPeak`). */
export function rssSampler(pid: number | 'self', everyMs = 100) {
  let peak = rssMiB(pid);
  let step = peak;
  const timer = setInterval(() => {
    const now = rssMiB(pid);
    peak = Math.max(peak, now);
    step = Math.max(step, now);
  }, everyMs);
  return {
    peak: () => Math.max(peak, rssMiB(pid)),
    /** The peak since the previous call (the step just done). */
    stepPeak: () => {
      const p = Math.max(step, rssMiB(pid));
      step = rssMiB(pid);
      return p;
    },
    stop: () => clearInterval(timer),
  };
}
