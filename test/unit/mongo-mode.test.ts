import { describe, expect, it } from 'vitest';
import { modeFor } from '../../src/ledger/mongo/mode.ts';

describe('MongoDB adapter mode choice', () => {
  it('takes compat for FerretDB and mongodb for MongoDB when left to auto, saying why', () => {
    expect(modeFor({ version: '7.0.42', ferretdbVersion: 'v1.24.2' }, 'auto')).toEqual({
      mode: 'compat',
      server: 'FerretDB v1.24.2',
      why: 'FerretDB does not apply conditional updates atomically',
    });
    expect(modeFor({ version: '7.0.14' }, 'auto')).toEqual({
      mode: 'mongodb',
      server: 'MongoDB 7.0.14',
      why: 'single-document updates are atomic on MongoDB',
    });
  });

  it('uses the configured mode whatever the server says', () => {
    expect(modeFor({ version: '7.0.42', ferretdbVersion: 'v1.24.2' }, 'mongodb').mode).toBe('mongodb');
    expect(modeFor({ version: '8.0.1' }, 'compat')).toMatchObject({
      mode: 'compat',
      why: 'set by GT_MONGO_MODE',
    });
  });
});
