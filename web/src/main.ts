import './styles.css';
import { Api } from './api/client';
import { errorMessage, toApiError } from './api/errors';
import { BOOT, type Me, type Provider } from './api/operations';
import { h, replace } from './dom';
import { accountsOf, session } from './session';
import { renderShell } from './views/shell';
import { renderSignIn } from './views/sign-in';

const root = document.getElementById('app')!;
let api: Api | null = null;
let teardownShell: () => void = () => undefined;

/** Opens a session with `token`: resolves to an error message, or null when the console is shown. */
async function start(token: string): Promise<string | null> {
  // Before the token has worked once, a rejection is this form's error, not a session that ended.
  let signedIn = false;
  const client = new Api(token, () => {
    if (signedIn) void signOut('Your session ended: the token is no longer accepted.');
  });
  try {
    const data = await client.query<{ me: Me; providers: Provider[] }>(BOOT);
    session.signIn(token);
    signedIn = true;
    api = client;
    root.removeAttribute('aria-busy');
    teardownShell = renderShell(root, {
      api: client,
      me: data.me,
      providers: data.providers,
      accounts: accountsOf(data.me),
      signOut: () => void signOut(),
    });
    return null;
  } catch (err) {
    await client.close();
    session.signOut();
    return toApiError(err).code === 'UNAUTHENTICATED' ? 'That token was not accepted.' : errorMessage(err);
  }
}

async function signOut(notice?: string): Promise<void> {
  session.signOut();
  teardownShell();
  teardownShell = () => undefined;
  const old = api;
  api = null;
  await old?.close();
  if (location.pathname !== '/') history.replaceState(null, '', '/');
  showSignIn(notice);
}

function showSignIn(notice?: string): void {
  root.removeAttribute('aria-busy');
  renderSignIn(root, start, notice);
}

const saved = session.token();
if (saved) {
  replace(root, h('p', { class: 'loading', role: 'status' }, 'Loading your account…'));
  void start(saved).then((message) => {
    if (message !== null) showSignIn(message);
  });
} else {
  showSignIn();
}
