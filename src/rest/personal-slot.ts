import type { Services } from '../composition/services';
import type { AppError } from '../errors/app-error';
import { releaseWhenAnswered, type StreamSlot } from '../modules/chat/stream-slots';
import type { RestCaller } from './rest-auth';

/** A personal request's stream slot, asked for before its body was read (StreamOptions.personalSlot). */
export type PersonalSlot = Promise<StreamSlot | AppError> | undefined;

/**
 * Runs a completion door's handler with the caller's personal stream slot already asked for: a
 * request without an organization needs nothing from its body to know its slot, so the Redis
 * round trip overlaps reading, parsing and routing the body (the service still sends nothing
 * upstream before the slot is held). An organization's slot waits for routing's membership
 * check (undefined here). The slot is released when the handler is done, whatever happened
 * (release is idempotent), so a request that fails before streaming gives it back at once.
 */
export async function withPersonalSlot(services: Services, caller: RestCaller, handle: (slot: PersonalSlot) => Promise<void>): Promise<void> {
  const slot = caller.organizationId === null ? services.streamSlots.acquire(caller.principal.userId, null) : undefined;
  try {
    await handle(slot);
  } finally {
    if (slot) releaseWhenAnswered(slot);
  }
}
