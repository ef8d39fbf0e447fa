import { field, h, replace } from '../dom';

/**
 * The sign-in form: paste an API token. `submit` resolves to an error message, or null once the
 * token worked (the caller then replaces this view).
 */
export function renderSignIn(root: HTMLElement, submit: (token: string) => Promise<string | null>, notice?: string): void {
  const input = h('input', {
    type: 'password',
    name: 'token',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  const error = h('p', { class: 'error', role: 'alert' }, notice ?? '');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Sign in');
  const form = h(
    'form',
    { class: 'card sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h1', { id: 'sign-in-title' }, 'BYOK Gateway'),
    h('p', {}, 'Sign in with an API token. It stays in this tab only and is forgotten when the tab closes.'),
    field('API token', input, 'No token yet? An operator creates your first one with: npm run cli -- user:create you@example.com'),
    button,
    error,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    button.disabled = true;
    button.textContent = 'Signing in…';
    error.textContent = '';
    void submit(token).then((message) => {
      if (message === null) return;
      input.value = '';
      button.disabled = false;
      button.textContent = 'Sign in';
      error.textContent = message;
      input.focus();
    });
  });
  replace(root, h('main', { id: 'main', class: 'centered' }, form));
  input.focus();
}
