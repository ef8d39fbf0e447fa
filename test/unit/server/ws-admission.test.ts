import type { WebSocket } from 'ws';
import type { Principal } from '../../../src/auth/principal';
import type { TokenRevocations } from '../../../src/auth/token-revocations';
import { unavailable } from '../../../src/errors/app-error';
import { WsAdmission, type AdmissionState } from '../../../src/server/ws-admission';

describe('WsAdmission through a Postgres outage', () => {
  it('an operation whose token cannot be checked gets UNAVAILABLE and the socket stays open', async () => {
    let down = false;
    const user: Principal = { kind: 'user', userId: 'u1', tokenId: 't1' };
    const admission = new WsAdmission({
      authenticate: async () => {
        if (down) throw unavailable('postgres', 'Checking this API token');
        return user;
      },
      revocations: { onRevoked: () => () => undefined } as unknown as TokenRevocations,
      limits: { socket: 10, user: 10 },
      recheckEveryMs: 60_000,
    });
    const close = jest.fn();
    const state: AdmissionState = {};
    try {
      await admission.connect(state, { close } as unknown as WebSocket, 'Bearer x', () => 1);
      expect(await admission.admit(state)).toBeUndefined();
      down = true;
      const refused = await admission.admit(state);
      expect(refused?.map((e) => e.extensions)).toEqual([{ code: 'UNAVAILABLE', dependency: 'postgres', retryable: true }]);
      expect(close).not.toHaveBeenCalled();
    } finally {
      admission.dispose();
    }
  });
});

describe('WsAdmission under a subscription flood', () => {
  it('refuses operations past the per-socket limit without a token lookup, with one shared error', async () => {
    let lookups = 0;
    const user: Principal = { kind: 'user', userId: 'u1', tokenId: 't1' };
    const admission = new WsAdmission({
      authenticate: async () => {
        lookups++;
        return user;
      },
      revocations: { onRevoked: () => () => undefined } as unknown as TokenRevocations,
      limits: { socket: 3, user: 100 },
      recheckEveryMs: 60_000,
    });
    try {
      let open = 0;
      const state: AdmissionState = {};
      await admission.connect(state, { close: () => undefined } as unknown as WebSocket, 'Bearer x', () => open);
      lookups = 0;
      for (open = 1; open <= 3; open++) expect(await admission.admit(state)).toBeUndefined();
      expect(lookups).toBe(3);
      const refusals = [];
      for (let i = 0; i < 200; i++) refusals.push(await admission.admit(state));
      expect(lookups).toBe(3); // 200 refusals, no lookup among them
      expect(refusals[0]?.[0]?.extensions).toEqual({ code: 'RATE_LIMITED', limit: 'subscriptionsPerSocket' });
      expect(refusals[199]?.[0]).toBe(refusals[0]?.[0]);
    } finally {
      admission.dispose();
    }
  });

  it('a burst of subscribes (sent before any is answered) admits the first ones up to the limit, not none', async () => {
    const user: Principal = { kind: 'user', userId: 'u1', tokenId: 't1' };
    const admission = new WsAdmission({
      authenticate: async () => user,
      revocations: { onRevoked: () => () => undefined } as unknown as TokenRevocations,
      limits: { socket: 3, user: 100 },
      recheckEveryMs: 60_000,
    });
    try {
      let open = 0;
      const state: AdmissionState = {};
      await admission.connect(state, { close: () => undefined } as unknown as WebSocket, 'Bearer x', () => open);
      // As graphql-ws does: each subscribe is counted, then admitted, with no answer in between.
      const answers = Array.from({ length: 5 }, () => {
        open++;
        return admission.admit(state);
      });
      const outcomes = (await Promise.all(answers)).map((r) => (r ? r[0]?.extensions.code : 'admitted'));
      expect(outcomes).toEqual(['admitted', 'admitted', 'admitted', 'RATE_LIMITED', 'RATE_LIMITED']);
    } finally {
      admission.dispose();
    }
  });
});
