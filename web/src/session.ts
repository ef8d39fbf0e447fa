import type { Me, OrgRole } from './api/operations';

/**
 * The API token lives in sessionStorage only: gone when the tab closes, never in a URL (it would
 * reach history, logs and Referer headers) nor in localStorage (it would outlive the session).
 */
const TOKEN_KEY = 'byok.token';
const ACCOUNT_KEY = 'byok.account';

export const session = {
  token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  signIn(token: string): void {
    sessionStorage.setItem(TOKEN_KEY, token);
  },
  signOut(): void {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(ACCOUNT_KEY);
  },
  /** The chosen account: '' for personal, else an organization id (not a secret). */
  accountId(): string {
    return sessionStorage.getItem(ACCOUNT_KEY) ?? '';
  },
  setAccountId(id: string): void {
    sessionStorage.setItem(ACCOUNT_KEY, id);
  },
};

/** The account the console acts for: the user's own, or an organization with the user's role in it. */
export interface Account {
  /** null: personal. */
  organizationId: string | null;
  label: string;
  role: OrgRole | 'PERSONAL';
}

export function accountsOf(me: Me): Account[] {
  return [
    { organizationId: null, label: 'Personal', role: 'PERSONAL' },
    ...me.organizations.map((m) => ({ organizationId: m.organization.id, label: m.organization.name, role: m.role })),
  ];
}

/** Who may add, change and delete keys and read usage and audit (ARCHITECTURE.md, tenancy). */
export function canManage(account: Account): boolean {
  return account.role !== 'MEMBER';
}

export function roleLabel(role: Account['role']): string {
  switch (role) {
    case 'PERSONAL':
      return 'personal';
    case 'OWNER':
      return 'owner';
    case 'ADMIN':
      return 'admin';
    case 'BILLING_MANAGER':
      return 'billing manager';
    case 'MEMBER':
      return 'member';
  }
}
