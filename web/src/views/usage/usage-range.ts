import type { TimeBucket } from '../../api/operations';
import { utcDay } from '../../format';

const DAY = 86_400_000;
const HOUR = 3_600_000;

/** [from, to) in UTC from two inclusive yyyy-mm-dd days, as the API's filter wants it. */
export function rangeOf(fromDay: string, toDay: string): { from: string; to: string } | string {
  const from = Date.parse(`${fromDay}T00:00:00.000Z`);
  const to = Date.parse(`${toDay}T00:00:00.000Z`) + DAY;
  if (Number.isNaN(from) || Number.isNaN(to)) return 'Choose both dates.';
  if (to <= from) return 'The end date must not be before the start date.';
  if (to - from > 366 * DAY) return 'Choose at most a year.';
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** Every bucket start in [from, to), so empty periods show as gaps, not as missing bars. */
export function bucketStarts(range: { from: string; to: string }, bucket: TimeBucket): string[] {
  const step = bucket === 'HOUR' ? HOUR : DAY;
  const out: string[] = [];
  for (let t = Date.parse(range.from); t < Date.parse(range.to); t += step) out.push(new Date(t).toISOString());
  return out;
}

export function bucketLabel(iso: string, bucket: TimeBucket): string {
  return bucket === 'HOUR' ? `${iso.slice(5, 10)} ${iso.slice(11, 16)}` : iso.slice(0, 10);
}

/** The last seven days, today included. */
export function defaultDays(now = new Date()): { from: string; to: string } {
  return { from: utcDay(new Date(now.getTime() - 6 * DAY)), to: utcDay(now) };
}
