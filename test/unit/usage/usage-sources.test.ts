import { TimeBucket } from '../../../src/modules/usage/usage-dimensions';
import { planSegments } from '../../../src/modules/usage/usage-sources';
import { mulberry32 } from '../../support/mock-upstream/prng';

const d = (iso: string) => new Date(iso);
const shape = (from: string, to: string, rollup = true, bucket: TimeBucket | null = null) =>
  planSegments(d(from), d(to), rollup, bucket).map((s) => `${s.source} ${s.from.toISOString().slice(5, 16)}..${s.to.toISOString().slice(5, 16)}`);

describe('planSegments: which part of [from, to) comes from where', () => {
  it('ragged ends from raw rows, whole hours around whole days from the hour grain, whole days from the day grain', () => {
    expect(shape('2025-03-02T22:15:00Z', '2025-03-05T01:45:00Z')).toEqual([
      'raw 03-02T22:15..03-02T23:00',
      'hour 03-02T23:00..03-03T00:00',
      'day 03-03T00:00..03-05T00:00',
      'hour 03-05T00:00..03-05T01:00',
      'raw 03-05T01:00..03-05T01:45',
    ]);
  });

  it('aligned ends need no raw rows; an aligned day range is one day segment', () => {
    expect(shape('2025-03-01T00:00:00Z', '2025-04-01T00:00:00Z')).toEqual(['day 03-01T00:00..04-01T00:00']);
  });

  it('an HOUR bucket never uses the day grain', () => {
    expect(shape('2025-03-01T00:30:00Z', '2025-03-03T00:00:00Z', true, TimeBucket.HOUR)).toEqual([
      'raw 03-01T00:30..03-01T01:00',
      'hour 03-01T01:00..03-03T00:00',
    ]);
  });

  it('less than a whole hour, or no rollup for the read: the raw rows only', () => {
    expect(shape('2025-03-01T10:05:00Z', '2025-03-01T10:55:00Z')).toEqual(['raw 03-01T10:05..03-01T10:55']);
    expect(shape('2025-03-01T10:05:00Z', '2025-03-01T11:05:00Z')).toEqual(['raw 03-01T10:05..03-01T11:05']);
    expect(shape('2025-03-01T00:00:00Z', '2025-04-01T00:00:00Z', false)).toEqual(['raw 03-01T00:00..04-01T00:00']);
  });

  it('the segments tile the range exactly, for any pair of instants', () => {
    const base = Date.parse('2025-03-01T00:00:00Z');
    const rng = mulberry32(7);
    for (let i = 0; i < 500; i++) {
      const a = base + Math.floor(rng() * 10 * 86_400_000);
      const b = a + Math.floor(rng() * 5 * 86_400_000);
      for (const bucket of [null, TimeBucket.HOUR, TimeBucket.DAY]) {
        const segs = planSegments(new Date(a), new Date(b), true, bucket);
        let at = a;
        for (const s of segs) {
          expect(s.from.getTime()).toBe(at);
          expect(s.to.getTime()).toBeGreaterThan(at);
          at = s.to.getTime();
        }
        expect(at).toBe(segs.length ? b : a);
      }
    }
  });
});
