import { errorMessage } from '../../api/errors';
import {
  USAGE_RECORDED,
  USAGE_SUMMARY,
  type Provider,
  type TimeBucket,
  type UsageDimension,
  type UsageGroup,
  type UsageRecord,
} from '../../api/operations';
import { field, h, replace } from '../../dom';
import { tokens, usd, usdShort } from '../../format';
import { canManage } from '../../session';
import type { View } from '../context';
import { feedLine, recordsTable } from './records-table';
import type { UsageChart } from './usage-chart';
import { bucketLabel, bucketStarts, defaultDays, rangeOf } from './usage-range';

type Metric = 'cost' | 'tokens';

/**
 * Usage: cost or tokens per day/hour stacked by key, model or provider; totals per key; the
 * records, paged by cursor; and a live feed (usageRecorded) that prepends records as they land.
 * Subscription plans cost 0 and are labelled as plan usage.
 */
export const usageView: View = (ctx, container) => {
  const { api, account } = ctx;
  const org = account.organizationId;
  const provider = (id: string | null): Provider | undefined => ctx.providers.find((p) => p.id === id);
  const days = defaultDays();
  const fromInput = h('input', { type: 'date', value: days.from, required: true });
  const toInput = h('input', { type: 'date', value: days.to, required: true });
  const bucketSelect = h('select', {}, h('option', { value: 'DAY' }, 'Day'), h('option', { value: 'HOUR' }, 'Hour'));
  const groupSelect = h(
    'select',
    {},
    h('option', { value: 'KEY' }, 'Key'),
    h('option', { value: 'MODEL' }, 'Model'),
    h('option', { value: 'PROVIDER' }, 'Provider'),
  );
  const metricSelect = h('select', {}, h('option', { value: 'cost' }, 'Cost (USD)'), h('option', { value: 'tokens' }, 'Tokens'));
  const status = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  // Chart.js is most of the console's code: it loads with this page, not with sign-in.
  const chartSlot = h('div', { class: 'chart-slot' }, h('p', { class: 'loading' }, 'Loading chart…'));
  let chart: UsageChart | null = null;
  let disposed = false;
  const chartReady = import('./usage-chart').then(({ usageChart }) => {
    if (disposed) return null;
    chart = usageChart();
    replace(chartSlot, chart.element);
    return chart;
  });
  const totalsSlot = h('div', { class: 'table-wrap' });
  const records = recordsTable(api, provider);
  const feed = h('ol', { class: 'feed', 'aria-label': 'Live usage feed' });
  const feedEmpty = h('p', { class: 'muted' }, 'Waiting for requests… new ones appear here as they finish.');

  const controls = h(
    'form',
    { class: 'filters row', 'aria-label': 'Usage filters' },
    field('From (UTC)', fromInput),
    field('To (UTC, inclusive)', toInput),
    field('Per', bucketSelect),
    field('Stack by', groupSelect),
    field('Show', metricSelect),
  );
  // New dates: new records from the first page; a new way to chart them keeps the records as they are.
  controls.addEventListener('change', (e) => void load(e.target === fromInput || e.target === toInput));
  controls.addEventListener('submit', (e) => e.preventDefault());

  replace(
    container,
    h(
      'section',
      { 'aria-labelledby': 'usage-title' },
      h('h1', { id: 'usage-title' }, 'Usage'),
      canManage(account) ? null : h('p', { class: 'readonly-note' }, 'As a member you see your own requests in this organization.'),
      controls,
      status,
      h('section', { class: 'card', 'aria-labelledby': 'chart-title' }, h('h2', { id: 'chart-title' }, 'Over time'), chartSlot),
      h('div', { class: 'two-col' },
        h('section', { class: 'card', 'aria-labelledby': 'totals-title' }, h('h2', { id: 'totals-title' }, 'Totals per key'), totalsSlot),
        h('section', { class: 'card live', 'aria-labelledby': 'feed-title' }, h('h2', { id: 'feed-title' }, 'Live'), feedEmpty, feed),
      ),
      h('section', { class: 'card', 'aria-labelledby': 'records-title' }, h('h2', { id: 'records-title' }, 'Records'), records.element),
    ),
  );

  let generation = 0;
  /** Reads the figures; with `withRecords` also the first page of records (a live refresh keeps the user's pages). */
  async function load(withRecords = true): Promise<void> {
    const range = rangeOf(fromInput.value, toInput.value);
    if (typeof range === 'string') {
      status.className = 'message error';
      status.textContent = range;
      return;
    }
    const mine = ++generation;
    const bucket = bucketSelect.value as TimeBucket;
    const dim = groupSelect.value as UsageDimension;
    const metric = metricSelect.value as Metric;
    const filter = { organizationId: org, ...range };
    status.className = 'message';
    status.textContent = 'Loading usage…';
    container.setAttribute('aria-busy', 'true');
    try {
      const [series, perKey, , loadedChart] = await Promise.all([
        api.query<{ usageSummary: UsageGroup[] }>(USAGE_SUMMARY, { bucket, groupBy: [dim], filter }),
        api.query<{ usageSummary: UsageGroup[] }>(USAGE_SUMMARY, { groupBy: ['KEY', 'PROVIDER'], filter }),
        withRecords ? records.load(filter) : undefined,
        chartReady,
      ]);
      if (mine !== generation || !loadedChart) return;
      drawChart(loadedChart, series.usageSummary, range, bucket, dim, metric);
      drawTotals(perKey.usageSummary);
      status.textContent = '';
    } catch (err) {
      if (mine !== generation) return;
      status.className = 'message error';
      status.textContent = errorMessage(err);
    } finally {
      if (mine === generation) container.removeAttribute('aria-busy');
    }
  }

  function seriesLabel(g: UsageGroup, dim: UsageDimension): string {
    switch (dim) {
      case 'KEY':
        return g.key ? `${g.key.provider.name} ${g.key.hint}` : g.keyId ? 'deleted key' : 'platform key';
      case 'MODEL':
        return g.model ?? 'unknown model';
      case 'PROVIDER':
        return provider(g.provider)?.name ?? g.provider ?? 'unknown provider';
    }
  }

  function drawChart(target: UsageChart, groups: UsageGroup[], range: { from: string; to: string }, bucket: TimeBucket, dim: UsageDimension, metric: Metric): void {
    const starts = bucketStarts(range, bucket);
    const index = new Map(starts.map((s, i) => [Date.parse(s), i]));
    const bySeries = new Map<string, number[]>();
    for (const g of groups) {
      const label = seriesLabel(g, dim);
      const values = bySeries.get(label) ?? starts.map(() => 0);
      const i = g.bucketStart ? index.get(Date.parse(g.bucketStart)) : undefined;
      if (i !== undefined) values[i] = (values[i] ?? 0) + (metric === 'cost' ? g.totals.costMicroUsd : g.totals.inputTokens + g.totals.outputTokens);
      bySeries.set(label, values);
    }
    const format = metric === 'cost' ? usd : tokens;
    target.set(
      starts.map((s) => bucketLabel(s, bucket)),
      [...bySeries].map(([label, values]) => ({ label, values })),
      format,
      `${metric === 'cost' ? 'Cost' : 'Tokens'} per ${bucket === 'HOUR' ? 'hour' : 'day'} by ${dim.toLowerCase()}`,
      metric === 'cost' ? usdShort : tokens,
    );
  }

  function drawTotals(groups: UsageGroup[]): void {
    if (!groups.length) {
      replace(totalsSlot, h('p', { class: 'muted' }, 'No requests in this period.'));
      return;
    }
    replace(
      totalsSlot,
      h(
        'table',
        { class: 'totals' },
        h('thead', {}, h('tr', {}, ['Key', 'Requests', 'Input tokens', 'Output tokens', 'Cost'].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          groups.map((g) => {
            const p = provider(g.provider);
            const plan = p?.kind === 'SUBSCRIPTION';
            return h(
              'tr',
              { 'data-key-id': g.keyId ?? '' },
              h('th', { scope: 'row' }, p?.name ?? g.provider ?? '', ' ', h('code', {}, g.key?.hint ?? (g.keyId ? 'deleted key' : 'platform key'))),
              h('td', { 'data-field': 'requests' }, tokens(g.totals.requests)),
              h('td', { 'data-field': 'inputTokens' }, tokens(g.totals.inputTokens)),
              h('td', { 'data-field': 'outputTokens' }, tokens(g.totals.outputTokens)),
              h('td', { 'data-field': 'cost', 'data-micro-usd': g.totals.costMicroUsd }, usd(g.totals.costMicroUsd), plan ? h('span', { class: 'tag' }, 'plan') : null),
            );
          }),
        ),
      ),
    );
  }

  // Live feed: subscribe once for the page; a burst of records refreshes the figures once.
  let refresh: ReturnType<typeof setTimeout> | undefined;
  const unsubscribe = api.subscribe<{ usageRecorded: UsageRecord }>(
    USAGE_RECORDED,
    { org },
    ({ usageRecorded: r }) => {
      feedEmpty.hidden = true;
      feed.prepend(h('li', { 'data-record-id': r.id }, feedLine(r, provider)));
      while (feed.children.length > 50) feed.lastElementChild?.remove();
      clearTimeout(refresh);
      refresh = setTimeout(() => void load(false), 1000);
    },
    (err) => {
      feedEmpty.hidden = false;
      feedEmpty.textContent = `The live feed stopped: ${err.userMessage}`;
    },
  );

  void load();
  return () => {
    clearTimeout(refresh);
    unsubscribe();
    disposed = true;
    chart?.destroy();
  };
};
