import { TokenCache, type TokenLookup } from '../../../src/auth/token-cache';

const user = (n: number): TokenLookup => ({ kind: 'user', userId: `u${n}`, tokenId: `t${n}` });

describe('TokenCache: expired lookups as last known state for a Postgres outage', () => {
  let now = 0;
  const cache = (max = 10) => new TokenCache(1000, max, () => now, 60_000);
  beforeEach(() => {
    now = 0;
  });

  it('an expired lookup is not served by get, but is the last known one until staleMaxMs after its read', () => {
    const c = cache();
    c.set('h1', user(1), c.epoch);
    now = 999;
    expect(c.get('h1')).toEqual(user(1));
    now = 1000;
    expect(c.get('h1')).toBeUndefined();
    expect(c.lastKnown('h1')).toEqual(user(1));
    now = 59_999;
    expect(c.lastKnown('h1')).toEqual(user(1));
    now = 60_000;
    expect(c.lastKnown('h1')).toBeUndefined();
    expect(c.size).toBe(0);
  });

  it('a revocation drops the last known lookup at once', () => {
    const c = cache();
    c.set('h1', user(1), c.epoch);
    now = 5000;
    c.forgetToken('t1');
    expect(c.lastKnown('h1')).toBeUndefined();
  });

  it('stays bounded: expired entries count, the oldest goes first', () => {
    const c = cache(3);
    for (let i = 1; i <= 5; i++) c.set(`h${i}`, user(i), c.epoch);
    now = 2000;
    expect(c.size).toBe(3);
    expect(c.lastKnown('h1')).toBeUndefined();
    expect(c.lastKnown('h5')).toEqual(user(5));
  });

  it('refused tokens (anyone can present random ones) cannot push a user out of the last known state', () => {
    const c = cache(3);
    c.set('h1', user(1), c.epoch);
    for (let i = 0; i < 10; i++) c.set(`junk${i}`, { kind: 'anonymous', reason: 'Unknown API token' }, c.epoch);
    now = 2000;
    expect(c.lastKnown('h1')).toEqual(user(1));
    // Refusals are bounded on their own: the newest are still there, the oldest gone.
    expect(c.lastKnown('junk9')).toEqual({ kind: 'anonymous', reason: 'Unknown API token' });
    expect(c.lastKnown('junk0')).toBeUndefined();
    expect(c.size).toBeLessThanOrEqual(6);
  });
});
