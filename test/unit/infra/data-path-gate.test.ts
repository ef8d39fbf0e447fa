import { DataPathGate } from '../../../src/infra/data-path-gate';
import { isPostgresUnreachable } from '../../../src/infra/pg-errors';

const refused = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));

describe('DataPathGate', () => {
  let now = 0;
  const gate = () => new DataPathGate(1000, () => now);
  beforeEach(() => {
    now = 0;
  });

  it('after an unreachable answer, reads fail fast (as unreachable, without asking) until the retry time', async () => {
    const g = gate();
    await expect(g.read(refused)).rejects.toThrow('ECONNREFUSED');
    let asked = 0;
    const query = () => {
      asked++;
      return Promise.resolve('row');
    };
    now = 999;
    const fast = await g.read(query).catch((e: unknown) => e);
    expect(isPostgresUnreachable(fast)).toBe(true);
    expect(asked).toBe(0);
    now = 1000;
    await expect(g.read(query)).resolves.toBe('row');
    await expect(g.read(query)).resolves.toBe('row');
    expect(asked).toBe(2);
  });

  it('one probe at a time: while it waits, other reads fail fast; a failed probe pushes the retry time', async () => {
    const g = gate();
    await expect(g.read(refused)).rejects.toThrow();
    now = 1000;
    let fail!: (e: unknown) => void;
    const probe = g.read(() => new Promise((_, reject) => (fail = reject)));
    await expect(g.read(() => Promise.resolve('x'))).rejects.toThrow(/unreachable a moment ago/);
    now = 1500;
    fail(Object.assign(new Error('Query read timeout'), {}));
    await expect(probe).rejects.toThrow('Query read timeout');
    now = 2499;
    await expect(g.read(() => Promise.resolve('x'))).rejects.toThrow(/unreachable a moment ago/);
    now = 2500;
    await expect(g.read(() => Promise.resolve('x'))).resolves.toBe('x');
  });

  it('an error of the statement (Postgres answered) closes the gate; it never opens on such errors', async () => {
    const g = gate();
    const syntax = () => Promise.reject(Object.assign(new Error('syntax error'), { code: '42601', severity: 'ERROR' }));
    await expect(g.read(syntax)).rejects.toThrow('syntax error');
    await expect(g.read(() => Promise.resolve(1))).resolves.toBe(1);
    await expect(g.read(refused)).rejects.toThrow();
    now = 1000;
    await expect(g.read(syntax)).rejects.toThrow('syntax error');
    await expect(g.read(() => Promise.resolve(2))).resolves.toBe(2);
  });
});
