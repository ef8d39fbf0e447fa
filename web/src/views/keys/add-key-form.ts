import type { Api } from '../../api/client';
import { errorMessage } from '../../api/errors';
import { ADD_KEY, type ByokKey, type Provider } from '../../api/operations';
import { field, h, replace } from '../../dom';
import { credentialInputs, type CredentialInputs } from './credential-inputs';

/**
 * Add a key: a provider (standard API keys and subscription plans in two groups; providers the
 * account already has a key for are shown but not selectable, since the API allows one each),
 * then the credential. On success the secret fields are emptied before anything else happens.
 */
export function addKeyForm(
  api: Api,
  providers: Provider[],
  existing: Set<string>,
  organizationId: string | null,
  opts: { onAdded(key: ByokKey): void; onCancel(): void },
): { element: HTMLElement; focus(): void } {
  const select = h(
    'select',
    { name: 'provider', required: true },
    h('option', { value: '' }, 'Choose a provider…'),
    group('Standard API keys', providers.filter((p) => p.kind === 'STANDARD')),
    group('Subscription plans', providers.filter((p) => p.kind === 'SUBSCRIPTION')),
  );
  const credentialSlot = h('div', { class: 'credential' });
  const error = h('p', { class: 'error', role: 'alert' });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save key');
  let inputs: CredentialInputs | null = null;

  function group(label: string, list: Provider[]): HTMLOptGroupElement {
    return h(
      'optgroup',
      { label },
      list.map((p) =>
        h('option', { value: p.id, disabled: existing.has(p.id) }, existing.has(p.id) ? `${p.name} (already added)` : p.name),
      ),
    );
  }

  select.addEventListener('change', () => {
    const provider = providers.find((p) => p.id === select.value);
    inputs = provider ? credentialInputs(provider) : null;
    replace(credentialSlot, inputs?.element);
    error.textContent = '';
  });

  const form = h(
    'form',
    { class: 'card add-key', 'aria-labelledby': 'add-key-title' },
    h('h2', { id: 'add-key-title' }, 'Add a key'),
    field('Provider', select),
    credentialSlot,
    h('div', { class: 'row' }, save, h('button', { type: 'button', onclick: opts.onCancel }, 'Cancel')),
    error,
  );

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!select.value || !inputs) {
      error.textContent = 'Choose a provider.';
      select.focus();
      return;
    }
    const credential = inputs.read();
    if (typeof credential === 'string') {
      error.textContent = credential;
      return;
    }
    const current = inputs;
    save.disabled = true;
    save.textContent = 'Saving…';
    error.textContent = '';
    void api
      .mutate<{ addByokKey: ByokKey }>(ADD_KEY, { input: { provider: select.value, organizationId, ...credential } })
      .then((d) => {
        current.clear();
        opts.onAdded(d.addByokKey);
      })
      .catch((err: unknown) => {
        error.textContent = errorMessage(err);
      })
      .finally(() => {
        save.disabled = false;
        save.textContent = 'Save key';
      });
  });

  return { element: form, focus: () => select.focus() };
}
