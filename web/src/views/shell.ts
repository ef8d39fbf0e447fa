import type { Api } from '../api/client';
import type { Me, Provider } from '../api/operations';
import { h, replace } from '../dom';
import { roleLabel, session, type Account } from '../session';
import type { View, ViewContext } from './context';
import { keysView } from './keys/keys-page';
import { modelsView } from './models/models-page';
import { usageView } from './usage/usage-page';

interface Route {
  path: string;
  label: string;
  view: View;
}

const ROUTES: Route[] = [
  { path: '/keys', label: 'Keys', view: keysView },
  { path: '/usage', label: 'Usage', view: usageView },
  { path: '/models', label: 'Models', view: modelsView },
];

function routeFor(pathname: string): Route {
  return ROUTES.find((r) => r.path === pathname) ?? ROUTES[0]!;
}

/**
 * The signed-in frame: account switcher, navigation, sign-out, and the current page. Switching
 * account or page tears the old page down (its subscriptions end) and renders the new one.
 * Returns the teardown for sign-out.
 */
export function renderShell(
  root: HTMLElement,
  deps: { api: Api; me: Me; providers: Provider[]; accounts: Account[]; signOut: () => void },
): () => void {
  const { accounts } = deps;
  let account = accounts.find((a) => (a.organizationId ?? '') === session.accountId()) ?? accounts[0]!;
  let dispose: () => void = () => undefined;

  const main = h('main', { id: 'main', tabindex: '-1' });
  const links = ROUTES.map((r) =>
    h('a', { href: r.path, 'data-path': r.path, onclick: (e: Event) => navigate(e, r.path) }, r.label),
  );
  const switcher = h(
    'select',
    { id: 'account', name: 'account' },
    accounts.map((a) =>
      h('option', { value: a.organizationId ?? '', selected: a === account }, a.role === 'PERSONAL' ? a.label : `${a.label} · ${roleLabel(a.role)}`),
    ),
  );
  switcher.addEventListener('change', () => {
    account = accounts.find((a) => (a.organizationId ?? '') === switcher.value) ?? accounts[0]!;
    session.setAccountId(account.organizationId ?? '');
    show();
  });

  replace(
    root,
    h(
      'header',
      { class: 'topbar' },
      h('span', { class: 'brand' }, 'BYOK Gateway'),
      h('div', { class: 'account' }, h('label', { for: 'account' }, 'Account'), switcher),
      h('nav', { 'aria-label': 'Console' }, links),
      h('span', { class: 'who' }, deps.me.email),
      h('button', { type: 'button', class: 'link', onclick: deps.signOut }, 'Sign out'),
    ),
    main,
  );

  function navigate(e: Event, path: string): void {
    e.preventDefault();
    if (location.pathname !== path) history.pushState(null, '', path);
    show();
    main.focus();
  }

  function show(): void {
    dispose();
    const route = routeFor(location.pathname);
    for (const a of links) {
      if (a.dataset.path === route.path) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    document.title = `${route.label} · ${account.label} · BYOK Gateway`;
    main.replaceChildren();
    const ctx: ViewContext = { api: deps.api, me: deps.me, account, providers: deps.providers };
    dispose = route.view(ctx, main);
  }

  window.onpopstate = () => show();
  show();
  return () => {
    window.onpopstate = null;
    dispose();
  };
}
