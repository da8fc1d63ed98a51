/**
 * How big a fault run is. The reduced sizes run inside the normal `npm test` (CI); the full
 * sizes of issue 8 run with `npm run test:faults` (GT_FAULTS_FULL=1). Both exercise the same
 * code paths; the full run repeats the faults more often on more work.
 */
export const FULL = process.env.GT_FAULTS_FULL === '1';

export const SCALE = FULL
  ? {
      label: 'full',
      killBeads: 200,
      kills: 10,
      natsBeads: 100,
      natsRestarts: 3,
      ferretBeads: 60,
      ferretRestarts: 3,
      replicaBeads: 60,
      replicaCounts: [2, 3],
      clicks: 12,
      clusterBeads: 200,
    }
  : {
      label: 'reduced',
      killBeads: 30,
      kills: 3,
      natsBeads: 12,
      natsRestarts: 1,
      ferretBeads: 12,
      ferretRestarts: 1,
      replicaBeads: 10,
      // CI time: the harder case only; the full run does both.
      replicaCounts: [3],
      clicks: 6,
      clusterBeads: 24,
    };

/** Generous per-test limits: the full run does real work on two cores. */
export const TEST_TIMEOUT_MS = FULL ? 1_200_000 : 180_000;
