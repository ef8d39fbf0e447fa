import { errorMessage } from '../../api/errors';
import { KEYS, KEY_STATUS_CHANGED, type ByokKey } from '../../api/operations';
import { h, replace } from '../../dom';
import { canManage } from '../../session';
import type { View } from '../context';
import { addKeyForm } from './add-key-form';
import { keyCard, type KeyCard } from './key-card';

/**
 * The Bring Your Own Key page: the account's keys with live status (byokKeyStatusChanged), the
 * empty state's "Add Your First Key", and the add form. Read-only for an organization's MEMBER.
 */
export const keysView: View = (ctx, container) => {
  const { api, account } = ctx;
  const org = account.organizationId;
  const manage = canManage(account);
  const cards = new Map<string, KeyCard>();
  const list = h('div', { class: 'key-list' });
  const formSlot = h('div', { class: 'form-slot' });
  const notice = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  const addButton = manage ? h('button', { type: 'button', class: 'primary', onclick: () => openForm() }, 'Add a key') : null;

  replace(
    container,
    h(
      'section',
      { 'aria-labelledby': 'keys-title' },
      h('div', { class: 'page-head' }, h('h1', { id: 'keys-title' }, 'Bring Your Own Key'), addButton),
      manage ? null : h('p', { class: 'readonly-note' }, 'You are a member of this organization: you can see and use its keys, but not change them.'),
      notice,
      formSlot,
      list,
    ),
  );

  function renderList(): void {
    if (addButton) addButton.hidden = cards.size === 0;
    if (cards.size === 0) {
      replace(
        list,
        h(
          'div',
          { class: 'empty card' },
          h('h2', {}, 'No keys yet'),
          h('p', {}, 'Requests for a model go through your own key for its provider. Add one to start.'),
          manage
            ? h('button', { type: 'button', class: 'primary', onclick: () => openForm() }, 'Add Your First Key')
            : h('p', {}, 'An owner or admin of this organization can add keys.'),
        ),
      );
      return;
    }
    const sorted = [...cards.values()].sort((a, b) => a.key.provider.name.localeCompare(b.key.provider.name));
    replace(list, sorted.map((c) => c.element));
  }

  /** The key the "validating…" notice is about, cleared once the provider has answered. */
  let noticeKeyId: string | null = null;

  function upsert(key: ByokKey): void {
    const existing = cards.get(key.id);
    if (existing) {
      existing.update(key);
      settleNotice(existing.key);
      return;
    }
    cards.set(
      key.id,
      keyCard(api, key, {
        canManage: manage,
        organizationId: org,
        onDeleted: (id) => {
          const gone = cards.get(id)?.key ?? key;
          cards.delete(id);
          notice.textContent = `The ${gone.provider.name} key ${gone.hint} was deleted.`;
          renderList();
        },
      }),
    );
    renderList();
    settleNotice(key);
  }

  function settleNotice(key: ByokKey): void {
    if (key.id !== noticeKeyId || key.status === 'PENDING') return;
    notice.textContent = `The ${key.provider.name} key ${key.hint} is ${key.status.toLowerCase()}.`;
    noticeKeyId = null;
  }

  function openForm(): void {
    const form = addKeyForm(api, ctx.providers, new Set([...cards.values()].map((c) => c.key.provider.id)), org, {
      onAdded: (key) => {
        replace(formSlot);
        notice.textContent = `Saved the ${key.provider.name} key ${key.hint}: validating with the provider…`;
        noticeKeyId = key.id;
        upsert(key);
      },
      onCancel: () => replace(formSlot),
    });
    replace(formSlot, form.element);
    form.focus();
  }

  // Subscribe before the first read, so a validation finishing in between is not missed.
  const unsubscribe = api.subscribe<{ byokKeyStatusChanged: ByokKey }>(
    KEY_STATUS_CHANGED,
    { org },
    (d) => {
      // Also a key whose add has not answered yet: the later row state wins either way.
      upsert(d.byokKeyStatusChanged);
    },
    (err) => {
      notice.textContent = `Live status updates stopped: ${err.userMessage}`;
    },
  );

  replace(list, h('p', { class: 'loading', role: 'status' }, 'Loading keys…'));
  api
    .query<{ byokKeys: ByokKey[] }>(KEYS, { org })
    .then((d) => {
      for (const k of d.byokKeys) upsert(k);
      renderList();
    })
    .catch((err: unknown) => replace(list, h('p', { class: 'error', role: 'alert' }, errorMessage(err))));

  return unsubscribe;
};
