import type { Api } from '../api/client';
import type { Me, Provider } from '../api/operations';
import type { Account } from '../session';

/** What every page gets: the client, who is signed in, the chosen account and the provider list. */
export interface ViewContext {
  api: Api;
  me: Me;
  account: Account;
  providers: Provider[];
}

/** A page renders into its container and returns what tears it down (subscriptions, charts). */
export type View = (ctx: ViewContext, container: HTMLElement) => () => void;
