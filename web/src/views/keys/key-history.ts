import type { Api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { KEY_HISTORY, type AuditEvent, type Connection, type ValidationJob } from '../../api/operations';
import { h, replace, table } from '../../dom';
import { when } from '../../format';

/**
 * A key's validation jobs (every attempt the worker made, with the provider's answer) and its audit
 * events, loaded when the user opens the section. The audit list is the account's newest events,
 * narrowed to this key.
 */
export function keyHistory(api: Api, keyId: string, organizationId: string | null): { element: HTMLElement; refresh(): void } {
  const body = h('div', { class: 'history-body' });
  const details = h('details', { class: 'history' }, h('summary', {}, 'Validation jobs and audit events'), body);
  let loaded = false;

  async function load(): Promise<void> {
    replace(body, h('p', { class: 'loading', role: 'status' }, 'Loading history…'));
    try {
      const d = await api.query<{ validationJobs: Connection<ValidationJob>; auditEvents: Connection<AuditEvent> }>(KEY_HISTORY, {
        id: keyId,
        org: organizationId,
      });
      const jobs = d.validationJobs.edges.map((e) => e.node);
      const events = d.auditEvents.edges.map((e) => e.node).filter((e) => e.targetId === keyId);
      replace(body, h('div', { class: 'table-wrap' }, jobsTable(jobs)), h('div', { class: 'table-wrap' }, eventsTable(events)));
    } catch (err) {
      replace(body, h('p', { class: 'error', role: 'alert' }, errorMessage(err)));
    }
  }

  details.addEventListener('toggle', () => {
    if (details.open && !loaded) {
      loaded = true;
      void load();
    }
  });
  return {
    element: details,
    refresh: () => {
      if (details.open) void load();
      else loaded = false;
    },
  };
}

function jobsTable(jobs: ValidationJob[]): HTMLElement {
  if (!jobs.length) return h('p', {}, 'No validation jobs yet.');
  return table(
    { class: 'jobs' },
    'Validation jobs',
    ['Queued', 'Trigger', 'Outcome', 'Attempts', 'HTTP', 'Took', 'Error'],
    jobs.map((j) => [
      h('td', { class: 'when' }, when(j.queuedAt)),
      j.trigger,
      h('span', { class: `outcome outcome-${j.outcome.toLowerCase()}` }, j.outcome),
      j.attempts,
      j.httpStatus ?? '—',
      j.durationMs === null ? '—' : `${j.durationMs} ms`,
      j.error ?? '',
    ]),
  );
}

function eventsTable(events: AuditEvent[]): HTMLElement {
  if (!events.length) return h('p', {}, 'No audit events for this key.');
  return table(
    { class: 'audit' },
    'Audit events',
    ['When', 'Action', 'By', 'Detail'],
    events.map((e) => [h('td', { class: 'when' }, when(e.createdAt)), e.action, e.actor?.email ?? 'system', e.detail ?? '']),
  );
}
