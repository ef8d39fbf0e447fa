/**
 * Usage dashboards at scale: seeds N usage records (generate_series, 90 days, 5,000 users, 500
 * organizations, one holding 10% of the rows, 40 models), then times usageSummary, usageRecords
 * pages and the insert path through the service layer.
 *
 * `npm run bench -- usage --rows 1000000 [--runs 50] [--inserts 20000] [--writers 200] [--reseed]`
 * The database (`--database`, default byok_bench_usage) is created and migrated if missing and
 * kept between runs: it is reseeded only when its row count differs from --rows (or --reseed).
 */
import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import type { UserPrincipal } from '../src/auth/principal';
import { OrganizationsService } from '../src/modules/organizations/organizations.service';
import { TimeBucket, UsageDimension } from '../src/modules/usage/usage-dimensions';
import { UsageService } from '../src/modules/usage/usage.service';
import { adminDatabaseUrl } from '../test/support/test-env';
import { UsageError, intInRange, parseArgs } from './lib/args';
import { writeResults } from './lib/results';
import { fmt, printTable } from './lib/table';
import { measureInserts, type InsertResult } from './usage-inserts';
import { SEED_SHAPE, type SeedActors } from './usage-seed';
import { openSeeded, type SeedInfo } from './usage-load';
import { timeIt, type Timing } from './usage-timing';

const DAY_MS = 86_400_000;

export async function run(argv: string[]): Promise<void> {
  const flags = parseArgs(argv, { rows: 1_000_000, runs: 50, inserts: 20_000, writers: 200, reseed: false, database: 'byok_bench_usage', raw: true });
  const rows = intInRange('rows', flags.rows, 10_000, 50_000_000);
  const runs = intInRange('runs', flags.runs, 5, 1000);
  if (!/^byok_bench_[a-z0-9_]+$/.test(flags.database)) throw new UsageError('--database must start with byok_bench_ (it may be dropped and recreated)');
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${flags.database}`;
  const { db, seed } = await openSeeded(url.toString(), rows, flags.reseed);
  try {
    const reads = await measureReads(db, seed.actors, runs, flags.raw);
    const inserts = await measureInserts(db, seed.actors, intInRange('inserts', flags.inserts, 100, 1_000_000), intInRange('writers', flags.writers, 1, 1000));
    report(rows, seed, reads, inserts);
    const file = writeResults('usage', { rows, shape: SEED_SHAPE, seed, runs, reads, inserts, measuredThrough: 'service layer (UsageService, usageRecorder insertUsage)' });
    console.log(`\nresults: ${file}`);
  } finally {
    await db.destroy();
  }
}

interface ReadResults {
  summaries: Timing[];
  pages: Timing[];
  bigOrgRowsIn30Days: number;
}

async function measureReads(db: DataSource, a: SeedActors, runs: number, withRaw: boolean): Promise<ReadResults> {
  const usage = new UsageService(db, new OrganizationsService(db));
  const owner: UserPrincipal = { kind: 'user', userId: a.ownerId, tokenId: 'bench' };
  const member: UserPrincipal = { kind: 'user', userId: a.memberId, tokenId: 'bench' };
  // "The last 30 days" as a dashboard asks it: from now, so both ends are ragged.
  const to = new Date();
  const org = { organizationId: a.bigOrgId, from: new Date(to.getTime() - 30 * DAY_MS), to };
  const [count] = (await db.query('SELECT count(*)::int AS n FROM usage_records WHERE organization_id = $1 AND created_at >= $2 AND created_at < $3', [a.bigOrgId, org.from, org.to])) as Array<{ n: number }>;
  const s = (name: string, p: UserPrincipal, filter: typeof org | Omit<typeof org, 'organizationId'>, groupBy: UsageDimension[], bucket: TimeBucket | null, n = runs, source: 'auto' | 'raw' = 'auto') =>
    timeIt(`summary ${name}`, n, async () => (await usage.summary(p, filter, groupBy, bucket, { source })).length);
  const summaries = [
    await s('big org 30d MODEL x DAY', owner, org, [UsageDimension.MODEL], TimeBucket.DAY),
    await s('big org 30d KEY', owner, org, [UsageDimension.KEY], null),
    await s('big org 30d USER', owner, org, [UsageDimension.USER], null),
    await s('big org 30d PROVIDER x STATUS x WEEK', owner, org, [UsageDimension.PROVIDER, UsageDimension.STATUS], TimeBucket.WEEK),
    await s('big org 7d MODEL x HOUR', owner, { ...org, from: new Date(to.getTime() - 7 * DAY_MS) }, [UsageDimension.MODEL], TimeBucket.HOUR),
    await s('big org member 30d MODEL x DAY (raw rows)', member, org, [UsageDimension.MODEL], TimeBucket.DAY),
    await s('personal 30d MODEL x DAY', owner, { from: org.from, to }, [UsageDimension.MODEL], TimeBucket.DAY),
  ];
  if (withRaw) {
    // Without the rollups, for comparison (fewer runs: they are slow).
    summaries.push(await s('big org 30d MODEL x DAY, raw records only', owner, org, [UsageDimension.MODEL], TimeBucket.DAY, 5, 'raw'));
    summaries.push(await s('big org 30d USER, raw records only', owner, org, [UsageDimension.USER], null, 5, 'raw'));
  }
  const pages = [await timeIt('records first page (50)', runs, async () => (await usage.records(owner, org, 50, null)).edges.length)];
  let after: string | null = null;
  for (let i = 0; i < 99; i++) after = (await usage.records(owner, org, 50, after)).pageInfo.endCursor;
  const cursor = after;
  pages.push(await timeIt('records page 100 (50, by cursor)', runs, async () => (await usage.records(owner, org, 50, cursor)).edges.length));
  pages.push(await timeIt('records member first page (50)', runs, async () => (await usage.records(member, org, 50, null)).edges.length));
  pages.push(await timeIt('records personal first page (50)', runs, async () => (await usage.records(owner, { from: org.from, to }, 50, null)).edges.length));
  return { summaries, pages, bigOrgRowsIn30Days: count?.n ?? 0 };
}

function report(rows: number, seed: SeedInfo, reads: ReadResults, inserts: InsertResult[]): void {
  printTable(`seed: ${rows.toLocaleString('en-US')} usage records`, [
    { what: 'seeded this run', value: seed.seeded ? 'yes' : 'no (reused)' },
    { what: 'seed time (s)', value: seed.seconds === null ? '–' : fmt(seed.seconds, 1) },
    { what: 'big org rows in the last 30 days', value: reads.bigOrgRowsIn30Days.toLocaleString('en-US') },
    { what: 'usage_records size (MB)', value: fmt(seed.sizesMb.records) },
    { what: 'usage_rollups_by_model rows / MB', value: `${seed.rollupRows.model.toLocaleString('en-US')} / ${fmt(seed.sizesMb.modelRollup)}` },
    { what: 'usage_rollups_by_user rows / MB', value: `${seed.rollupRows.user.toLocaleString('en-US')} / ${fmt(seed.sizesMb.userRollup)}` },
  ]);
  const line = (t: Timing) => ({ query: t.name, runs: t.runs, groups: t.resultSize, 'p50 ms': fmt(t.p50, 1), 'p95 ms': fmt(t.p95, 1), 'max ms': fmt(t.max, 1) });
  printTable('usageSummary (service layer; target p95 < 50 ms)', reads.summaries.map(line));
  printTable('usageRecords (service layer; target p95 < 10 ms)', reads.pages.map((t) => ({ ...line(t), groups: undefined, rows: t.resultSize })), ['query', 'runs', 'rows', 'p50 ms', 'p95 ms', 'max ms']);
  printTable(
    'insert throughput (insertUsage through the app pool)',
    inserts.map((i) => ({
      'rollup triggers': i.triggers ? 'on (deployed)' : 'off (baseline)',
      records: i.records,
      writers: i.writers,
      'pool connections': i.poolSize,
      seconds: fmt(i.seconds, 2),
      'records/s': fmt(i.perSecond, 0),
      'p50 ms': fmt(i.p50, 1),
      'p95 ms': fmt(i.p95, 1),
    })),
  );
}
