import type { Api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { USAGE_RECORDS, type Connection, type Provider, type UsageFilter, type UsageRecord } from '../../api/operations';
import { h, replace } from '../../dom';
import { tokens, usd, when } from '../../format';

const PAGE = 20;

type ProviderOf = (id: string) => Provider | undefined;

/** Cost as shown: plan usage is tokens at no cost; a model without a catalog price says so. */
function costText(r: UsageRecord, provider: ProviderOf): string {
  if (provider(r.provider)?.kind === 'SUBSCRIPTION') return `${usd(0)} (plan)`;
  return r.costKnown ? usd(r.costMicroUsd) : 'unknown';
}

function keyText(r: UsageRecord): string {
  if (r.keySource === 'PLATFORM') return 'platform key';
  return r.key?.hint ?? 'deleted key';
}

/** One line of the live feed. */
export function feedLine(r: UsageRecord, provider: ProviderOf): HTMLElement {
  return h(
    'span',
    {},
    h('time', { datetime: r.createdAt }, new Date(r.createdAt).toLocaleTimeString()),
    ' ',
    h('strong', {}, r.model),
    ` via ${provider(r.provider)?.name ?? r.provider} `,
    h('code', {}, keyText(r)),
    ` · ${tokens(r.inputTokens)} in / ${tokens(r.outputTokens)} out · ${costText(r, provider)}`,
    r.status === 'SUCCEEDED' ? null : h('span', { class: 'tag tag-bad' }, r.errorCode ?? r.status),
  );
}

function recordRow(r: UsageRecord, provider: ProviderOf): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-record-id': r.id },
    h('td', {}, when(r.createdAt)),
    h('td', {}, r.model),
    h('td', {}, provider(r.provider)?.name ?? r.provider, ' ', h('code', {}, keyText(r))),
    h('td', { class: 'num' }, tokens(r.inputTokens)),
    h('td', { class: 'num' }, tokens(r.outputTokens)),
    h('td', { class: 'num' }, costText(r, provider)),
    h('td', {}, r.status === 'SUCCEEDED' ? 'ok' : `${r.status.toLowerCase()}${r.errorCode ? ` (${r.errorCode})` : ''}`),
    h('td', { class: 'num' }, `${r.durationMs} ms`),
  );
}

/** Usage records newest first, a page at a time by cursor ("Load more" appends the next page). */
export function recordsTable(api: Api, provider: ProviderOf): { element: HTMLElement; load(filter: UsageFilter): Promise<void> } {
  const tbody = h('tbody');
  const more = h('button', { type: 'button', hidden: true }, 'Load more');
  const message = h('p', { class: 'muted', role: 'status' });
  const table = h(
    'table',
    { class: 'records' },
    h(
      'thead',
      {},
      h('tr', {}, ['When', 'Model', 'Key', 'Input', 'Output', 'Cost', 'Status', 'Duration'].map((c) => h('th', { scope: 'col' }, c))),
    ),
    tbody,
  );
  let filter: UsageFilter | null = null;
  let cursor: string | null = null;

  async function page(after: string | null): Promise<void> {
    const d = await api.query<{ usageRecords: Connection<UsageRecord> }>(USAGE_RECORDS, { filter, first: PAGE, after });
    const rows = d.usageRecords.edges.map((e) => recordRow(e.node, provider));
    if (after === null) replace(tbody, rows);
    else tbody.append(...rows);
    cursor = d.usageRecords.pageInfo?.endCursor ?? null;
    more.hidden = !d.usageRecords.pageInfo?.hasNextPage;
    table.hidden = tbody.children.length === 0;
    message.textContent = tbody.children.length === 0 ? 'No records in this period.' : `${tbody.children.length} records shown.`;
  }

  more.addEventListener('click', () => {
    more.disabled = true;
    page(cursor)
      .catch((err: unknown) => (message.textContent = errorMessage(err)))
      .finally(() => (more.disabled = false));
  });

  return {
    element: h('div', {}, h('div', { class: 'table-wrap' }, table), message, more),
    load: (f) => {
      filter = f;
      return page(null);
    },
  };
}
