import { usageError } from './errors.ts';

/**
 * A job interval in seconds as a six-field cron expression (node-cron, UTC). Cron can only
 * express intervals that divide a minute, an hour or a day evenly, so others are refused with the
 * nearest values that work, rather than silently drifting.
 */
export function cronEverySeconds(seconds: number, name: string): string {
  if (Number.isInteger(seconds) && seconds >= 1 && seconds < 60 && 60 % seconds === 0)
    return `*/${seconds} * * * * *`;
  if (Number.isInteger(seconds) && seconds % 60 === 0 && 60 % (seconds / 60) === 0)
    return `0 */${seconds / 60} * * * *`;
  // Whole hours that divide a day (a daily chore: 86400), at minute 0 of those hours.
  if (Number.isInteger(seconds) && seconds % 3600 === 0 && 24 % (seconds / 3600) === 0)
    return `0 0 */${seconds / 3600} * * *`;
  throw usageError(
    'bad_interval',
    `${name}=${seconds} cannot be scheduled; use seconds that divide a minute (1, 2, 3, 5, 10, 15, 20, 30), whole minutes that divide an hour (60, 120, 300, 600, …) or whole hours that divide a day (3600, 7200, …, 86400)`,
  );
}
