/**
 * Work shared by every subscriber of one pub/sub message in this process. RedisPubSub hands all
 * listeners of a message the same parsed payload object, so a read made for the first subscriber
 * (the record, the organization's roles) is reused by the next thousand instead of repeated: the
 * SQL per event stays constant whatever the number of subscribers.
 */
const shared = new WeakMap<object, Map<string, unknown>>();

/** `make()`'s value for this event, made once (it may be a promise or a batch loader). */
export function perEvent<T>(event: object, what: string, make: () => T): T {
  let byWhat = shared.get(event);
  if (!byWhat) shared.set(event, (byWhat = new Map()));
  if (!byWhat.has(what)) byWhat.set(what, make());
  return byWhat.get(what) as T;
}
