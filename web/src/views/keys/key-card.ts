import type { Api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { DELETE_KEY, SET_KEY_ENABLED, UPDATE_KEY, VALIDATE_KEY, type ByokKey } from '../../api/operations';
import { h, replace } from '../../dom';
import { when } from '../../format';
import { credentialInputs } from './credential-inputs';
import { keyHistory } from './key-history';
import { statusBadge } from './status-badge';

export interface KeyCard {
  element: HTMLElement;
  key: ByokKey;
  /** Shows a newer state of the key (from a mutation or a status event). */
  update(key: ByokKey): void;
}

/**
 * One key: its hint (never the secret), live status, timestamps and last error; for managers the
 * controls to test, disable, replace and delete it. A MEMBER's card has no controls at all.
 */
export function keyCard(
  api: Api,
  initial: ByokKey,
  opts: { canManage: boolean; organizationId: string | null; onDeleted(id: string): void },
): KeyCard {
  let key = initial;
  const badge = statusBadge();
  const hint = h('code', { class: 'hint-text' });
  const facts = h('dl', { class: 'facts' });
  const message = h('p', { class: 'message', role: 'status', 'aria-live': 'polite' });
  const panel = h('div', { class: 'panel' });
  const history = keyHistory(api, key.id, opts.organizationId);
  const toggle = h('button', { type: 'button' });
  const title = h('h3', {}, key.provider.name);

  const controls = opts.canManage
    ? h(
        'div',
        { class: 'controls', role: 'group', 'aria-label': `${key.provider.name} key actions` },
        h('button', { type: 'button', onclick: () => void testNow() }, 'Test now'),
        toggle,
        h('button', { type: 'button', onclick: showReplace }, 'Replace key'),
        h('button', { type: 'button', class: 'danger', onclick: confirmDelete }, 'Delete'),
      )
    : null;
  toggle.addEventListener('click', () => void setEnabled(!key.enabled));

  const element = h(
    'article',
    { class: 'card key', 'data-key-id': key.id, 'data-provider': key.provider.id },
    h('header', {}, title, badge.element),
    h('p', {}, hint, key.provider.kind === 'SUBSCRIPTION' ? h('span', { class: 'tag' }, 'subscription plan') : null),
    facts,
    controls,
    message,
    panel,
    opts.canManage ? history.element : null,
  );

  function render(): void {
    element.setAttribute('aria-label', `${key.provider.name} key ${key.hint}`);
    hint.textContent = key.hint;
    badge.set(key.status, key.enabled);
    toggle.textContent = key.enabled ? 'Disable' : 'Enable';
    replace(
      facts,
      h('dt', {}, 'Last validated'),
      h('dd', { 'data-field': 'lastValidatedAt' }, when(key.lastValidatedAt)),
      h('dt', {}, 'Last used'),
      h('dd', { 'data-field': 'lastUsedAt' }, when(key.lastUsedAt)),
      key.lastError ? [h('dt', {}, 'Last error'), h('dd', { class: 'last-error', 'data-field': 'lastError' }, key.lastError)] : null,
    );
  }

  async function run(label: string, action: () => Promise<void>): Promise<void> {
    element.setAttribute('aria-busy', 'true');
    message.className = 'message';
    message.textContent = `${label}…`;
    try {
      await action();
    } catch (err) {
      message.className = 'message error';
      message.textContent = errorMessage(err);
    } finally {
      element.removeAttribute('aria-busy');
    }
  }

  function testNow(): Promise<void> {
    return run('Queuing a validation', async () => {
      await api.mutate(VALIDATE_KEY, { id: key.id });
      message.textContent = 'Validation queued: the status updates here when the provider answers.';
      history.refresh();
    });
  }

  function setEnabled(enabled: boolean): Promise<void> {
    return run(enabled ? 'Enabling' : 'Disabling', async () => {
      const d = await api.mutate<{ setByokKeyEnabled: ByokKey }>(SET_KEY_ENABLED, { id: key.id, enabled });
      card.update(d.setByokKeyEnabled);
      message.textContent = enabled ? 'Enabled: requests may use this key.' : 'Disabled: requests will not use this key.';
    });
  }

  function showReplace(): void {
    const inputs = credentialInputs(key.provider);
    const save = h('button', { type: 'submit', class: 'primary' }, 'Save new key');
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h(
      'form',
      { class: 'replace', 'aria-label': `Replace the ${key.provider.name} key` },
      inputs.element,
      h('div', { class: 'row' }, save, h('button', { type: 'button', onclick: () => replace(panel) }, 'Cancel')),
      error,
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const credential = inputs.read();
      if (typeof credential === 'string') {
        error.textContent = credential;
        return;
      }
      save.disabled = true;
      void api
        .mutate<{ updateByokKey: ByokKey }>(UPDATE_KEY, { input: { id: key.id, ...credential } })
        .then((d) => {
          inputs.clear();
          replace(panel);
          card.update(d.updateByokKey);
          message.className = 'message';
          // A status event may already have overtaken this answer.
          if (card.key.status === 'PENDING') {
            message.textContent = 'New key saved: validating…';
            message.dataset.pending = 'true';
          } else {
            message.textContent = '';
          }
          history.refresh();
        })
        .catch((err: unknown) => {
          save.disabled = false;
          error.textContent = errorMessage(err);
        });
    });
    replace(panel, form);
    inputs.focus();
  }

  function confirmDelete(): void {
    const cancel = h('button', { type: 'button', onclick: () => replace(panel) }, 'Cancel');
    const confirm = h('button', { type: 'button', class: 'danger', onclick: () => void remove() }, 'Delete key');
    replace(
      panel,
      h(
        'div',
        { class: 'confirm', role: 'alertdialog', 'aria-label': 'Confirm delete' },
        h('p', {}, `Delete the ${key.provider.name} key ${key.hint}? Requests will no longer use it. This cannot be undone.`),
        h('div', { class: 'row' }, confirm, cancel),
      ),
    );
    cancel.focus();
  }

  function remove(): Promise<void> {
    return run('Deleting', async () => {
      await api.mutate(DELETE_KEY, { id: key.id });
      opts.onDeleted(key.id);
    });
  }

  const card: KeyCard = {
    element,
    get key() {
      return key;
    },
    update(next) {
      // A status event can overtake the mutation's answer: the later row state wins.
      if (next.updatedAt < key.updatedAt) return;
      // The provider answered: a "validating…" note is now stale (the badge says the rest).
      if (key.status === 'PENDING' && next.status !== 'PENDING' && message.dataset.pending) {
        message.textContent = '';
        delete message.dataset.pending;
      }
      key = next;
      render();
    },
  };
  render();
  return card;
}
