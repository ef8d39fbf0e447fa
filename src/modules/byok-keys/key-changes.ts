/**
 * Who owns keys that just changed, for in-memory copies of keys (the routing cache). Told in two
 * ways: by this process's services right after their commit (so a change is seen by the next
 * request here, whatever the timing), and by every process through Postgres NOTIFY from a
 * trigger on byok_keys (migrations/…-KeyChangeNotify), which also covers writers outside the
 * services (the CLI's rewrap, cascading deletes).
 */

/** Postgres channel the byok_keys trigger notifies; payload: an owner reference. */
export const KEY_CHANGES_CHANNEL = 'byok_keys_changed';

/** `u:<user id>` for personal keys, `o:<organization id>` for an organization's (as the trigger writes it). */
export type OwnerRef = string;

export function ownerRef(key: { userId: string | null; organizationId: string | null }): OwnerRef {
  return key.organizationId ? `o:${key.organizationId}` : `u:${key.userId}`;
}

const OWNER_REF = /^[uo]:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A NOTIFY payload as the owner it names; `null` (everyone) for `*` or anything unexpected. */
export function parseOwnerRef(payload: string): OwnerRef | null {
  return OWNER_REF.test(payload) ? payload : null;
}

/** `null`: anything may have changed (notifications were missed). */
export type KeyChangeHandler = (owner: OwnerRef | null) => void;

export class KeyChanges {
  private readonly handlers = new Set<KeyChangeHandler>();

  on(handler: KeyChangeHandler): void {
    this.handlers.add(handler);
  }

  changed(owner: OwnerRef | null): void {
    for (const h of this.handlers) h(owner);
  }
}
