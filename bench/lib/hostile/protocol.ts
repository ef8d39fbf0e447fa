/** What the hostile bench's attacker process and the bench say to each other over IPC. */

/** The four kinds of hostile client, five of each by default. */
export const ATTACK_KINDS = ['oversized', 'alias', 'flood', 'hog'] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

export const ATTACK_LABELS: Record<AttackKind, string> = {
  oversized: 'oversized documents (1 MB anonymous HTTP, 4 MB over WS, 21 MiB WS messages)',
  alias: 'alias bombs and deep queries over HTTP (authenticated)',
  flood: 'subscription floods (300 subscriptions a socket, reopened every 5 s)',
  hog: 'stream hogs (40 concurrent completions a client, half cancelled after the first delta)',
};

export interface AttackCommand {
  type: 'attack';
  id: number;
  /** The gateway, http://…; the ws url is derived. */
  url: string;
  /** One user token per attacker, in ATTACK_KINDS order, `perKind` each. */
  tokens: string[];
  perKind: number;
  /** The kinds that run; the others' tokens stay unused. */
  kinds: string[];
  durationMs: number;
  /** The catalog model the hogs stream. */
  model: string;
}

export interface AttackReport {
  type: 'attack-done';
  id: number;
  /** Per kind: outcome → count (an outcome is an HTTP status, an error code, a close code, …). */
  outcomes: Record<AttackKind, Record<string, number>>;
  /** The attacker process's own load: if it is saturated, it attacked less than it could. */
  eventLoopUtilization: number;
}
