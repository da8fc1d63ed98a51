import { JetStreamApiError } from '@nats-io/jetstream';
import { jserrors } from '@nats-io/jetstream/internal';
import { errors } from '@nats-io/transport-node';
import { describe, expect, it } from 'vitest';
import { isNatsOutage } from '../../src/bus/outage.ts';

describe('isNatsOutage', () => {
  it('recognizes what a dead or re-electing NATS node throws, however deeply wrapped', () => {
    const noResponders = new errors.RequestError('no responders', {
      cause: new errors.NoRespondersError('$KV.gt_heartbeats.r1/Toast'),
    });
    expect(isNatsOutage(noResponders)).toBe(true);
    expect(
      isNatsOutage(new jserrors.JetStreamNotEnabled('jetstream is not enabled', { cause: noResponders })),
    ).toBe(true);
    expect(isNatsOutage(new errors.TimeoutError())).toBe(true);
    expect(isNatsOutage(new errors.ClosedConnectionError())).toBe(true);
    const unavailable = new JetStreamApiError({
      code: 503,
      err_code: 10008,
      description: 'JetStream system temporarily unavailable',
    });
    expect(isNatsOutage(unavailable)).toBe(true);
  });

  it('leaves every other error alone', () => {
    expect(isNatsOutage(new Error('bead r0-1 is closed'))).toBe(false);
    expect(
      isNatsOutage(new JetStreamApiError({ code: 404, err_code: 10059, description: 'stream not found' })),
    ).toBe(false);
    expect(isNatsOutage('timeout')).toBe(false);
    expect(isNatsOutage(null)).toBe(false);
  });
});
