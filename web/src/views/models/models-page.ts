import { errorMessage } from '../../api/errors';
import { MODELS_AND_KEYS, type ByokKey, type Model, type Provider } from '../../api/operations';
import { field, h, replace } from '../../dom';
import type { View } from '../context';
import { playground } from './playground';
import { ownsKeyFor, servingKey } from './routing';

/** The models the account can route, the key that would serve each, and the playground. */
export const modelsView: View = (ctx, container) => {
  const { api, account } = ctx;
  const providerName = (id: string): string => ctx.providers.find((p: Provider) => p.id === id)?.name ?? id;
  const tableSlot = h('div', { class: 'table-wrap' }, h('p', { class: 'loading', role: 'status' }, 'Loading models…'));
  const onlyMine = h('input', { type: 'checkbox', id: 'only-mine', checked: true });
  const search = h('input', { type: 'search', id: 'model-search', placeholder: 'claude, glm, gpt…' });
  const playSlot = h('div');
  let models: Model[] = [];
  let keys: ByokKey[] = [];
  let disposePlayground: () => void = () => undefined;

  replace(
    container,
    h(
      'section',
      { 'aria-labelledby': 'models-title' },
      h('h1', { id: 'models-title' }, 'Models'),
      playSlot,
      h(
        'div',
        { class: 'filters row' },
        field('Search models', search),
        h('div', { class: 'field checkbox' }, onlyMine, h('label', { for: 'only-mine' }, 'Only models one of this account’s keys serves')),
      ),
      tableSlot,
    ),
  );

  function renderTable(): void {
    const q = search.value.trim().toLowerCase();
    const rows = models
      .filter((m) => !onlyMine.checked || servingKey(m, keys))
      .filter((m) => !q || m.id.toLowerCase().includes(q) || m.name.toLowerCase().includes(q));
    if (!rows.length) {
      replace(tableSlot, h('p', { class: 'empty' }, onlyMine.checked ? 'No key of this account serves a model yet: add one on the Keys page.' : 'No model matches.'));
      return;
    }
    replace(
      tableSlot,
      h(
        'table',
        { class: 'models' },
        h('caption', { class: 'visually-hidden' }, 'Models and the key that would serve each'),
        h('thead', {}, h('tr', {}, ['Model', 'Providers', 'Served by'].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          {},
          rows.map((m) => {
            const key = servingKey(m, keys);
            return h(
              'tr',
              { 'data-model': m.id },
              h('td', {}, h('strong', {}, m.name), h('br'), h('code', {}, m.id)),
              h('td', {}, m.providers.map(providerName).join(', ')),
              h(
                'td',
                {},
                key
                  ? [`${key.provider.name} key `, h('code', {}, key.hint), key.status === 'VALID' ? null : ` (${key.status.toLowerCase()})`]
                  : ownsKeyFor(m, keys)
                    ? 'Your key is disabled: requests fail until you enable it'
                    : 'No key of yours: the platform key, if the operator set one',
              ),
            );
          }),
        ),
      ),
    );
  }

  onlyMine.addEventListener('change', renderTable);
  search.addEventListener('input', renderTable);

  api
    .query<{ models: Model[]; byokKeys: ByokKey[] }>(MODELS_AND_KEYS, { org: account.organizationId })
    .then((d) => {
      models = d.models;
      keys = d.byokKeys;
      renderTable();
      const routable = models.filter((m) => servingKey(m, keys));
      const pg = playground(api, account.organizationId, routable.length ? routable : models, (m) => servingKey(m, keys), providerName);
      disposePlayground = pg.dispose;
      replace(playSlot, pg.element);
    })
    .catch((err: unknown) => replace(tableSlot, h('p', { class: 'error', role: 'alert' }, errorMessage(err))));

  return () => disposePlayground();
};
