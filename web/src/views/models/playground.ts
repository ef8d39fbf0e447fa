import type { Api } from '../../api/client';
import { CHAT, type ByokKey, type ChatEvent, type Model } from '../../api/operations';
import { field, h, replace } from '../../dom';
import { tokens, usd } from '../../format';

/**
 * A small chat box: streams one completion through the chatCompletion subscription and shows
 * the START event's provider and key hint, so users see their own key serve their traffic.
 * Stop (or leaving the page) unsubscribes, which aborts the upstream request.
 */
export function playground(
  api: Api,
  organizationId: string | null,
  models: Model[],
  preview: (m: Model) => ByokKey | null,
  providerName: (id: string) => string,
): { element: HTMLElement; dispose(): void } {
  const select = h(
    'select',
    { name: 'model' },
    models.map((m) => h('option', { value: m.id }, `${m.name} (${m.id})`)),
  );
  const prompt = h('textarea', { name: 'prompt', rows: 3, required: true }, '');
  const send = h('button', { type: 'submit', class: 'primary' }, 'Send');
  const stop = h('button', { type: 'button', disabled: true }, 'Stop');
  const expected = h('p', { class: 'hint' });
  const servedBy = h('p', { class: 'served-by', role: 'status', 'aria-live': 'polite' });
  const output = h('output', { class: 'chat-output', 'aria-live': 'polite', 'aria-label': 'Reply' });
  const reasoningText = h('div', { class: 'reasoning-text' });
  const reasoning = h('details', { class: 'reasoning', hidden: true }, h('summary', {}, 'Reasoning'), reasoningText);
  const usage = h('p', { class: 'usage-line' });
  const error = h('p', { class: 'error', role: 'alert' });
  let unsubscribe: (() => void) | null = null;

  const showPreview = (): void => {
    const m = models.find((x) => x.id === select.value);
    const k = m ? preview(m) : null;
    expected.textContent = k ? `Expected to use your ${k.provider.name} key ${k.hint}.` : 'No key of this account serves this model.';
  };
  select.addEventListener('change', showPreview);
  showPreview();

  const finish = (): void => {
    unsubscribe?.();
    unsubscribe = null;
    send.disabled = false;
    stop.disabled = true;
    form.removeAttribute('aria-busy');
  };
  stop.addEventListener('click', () => {
    finish();
    usage.textContent = 'Stopped.';
  });

  const form = h(
    'form',
    { class: 'card playground', 'aria-labelledby': 'playground-title' },
    h('h2', { id: 'playground-title' }, 'Playground'),
    field('Model', select),
    expected,
    field('Message', prompt),
    h('div', { class: 'row' }, send, stop),
    servedBy,
    reasoning,
    output,
    usage,
    error,
  );

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = prompt.value.trim();
    if (!text) {
      error.textContent = 'Type a message first.';
      prompt.focus();
      return;
    }
    finish();
    replace(output);
    replace(reasoningText);
    reasoning.hidden = true;
    servedBy.textContent = 'Connecting…';
    usage.textContent = '';
    error.textContent = '';
    send.disabled = true;
    stop.disabled = false;
    form.setAttribute('aria-busy', 'true');
    unsubscribe = api.subscribe<{ chatCompletion: ChatEvent }>(
      CHAT,
      { input: { model: select.value, organizationId, messages: [{ role: 'USER', content: text }] } },
      ({ chatCompletion: ev }) => onEvent(ev),
      (err) => {
        servedBy.textContent = servedBy.textContent === 'Connecting…' ? '' : servedBy.textContent;
        error.textContent = err.userMessage;
        finish();
      },
    );
  });

  function onEvent(ev: ChatEvent): void {
    switch (ev.type) {
      case 'START':
      {
        const name = ev.provider ? providerName(ev.provider) : 'the provider';
        servedBy.dataset.provider = ev.provider ?? '';
        servedBy.textContent =
          ev.keySource === 'PLATFORM'
            ? `Served by the platform’s ${name} key (this account has no key for the model)`
            : `Served by ${name} key ${ev.keyHint ?? ''}`;
      }
        if (ev.upstreamModel) servedBy.append(h('span', { class: 'muted' }, ` · upstream model ${ev.upstreamModel}`));
        break;
      case 'DELTA':
        if (ev.content) output.append(ev.content);
        if (ev.reasoning) {
          reasoning.hidden = false;
          reasoningText.append(ev.reasoning);
        }
        break;
      case 'USAGE':
        if (ev.usage)
          usage.textContent = `${tokens(ev.usage.inputTokens)} in · ${tokens(ev.usage.outputTokens)} out · ${ev.usage.costKnown ? usd(ev.usage.costMicroUsd) : 'cost unknown'}`;
        break;
      case 'DONE':
        finish();
        break;
    }
  }

  return { element: form, dispose: finish };
}
