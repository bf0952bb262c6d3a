import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The worker's delivery slot held by the code running now, so the Planfix REST limiter can hand it
 * back while the delivery only waits its turn (see delivery/slots.ts). Carried by
 * AsyncLocalStorage rather than passed down, since every REST call of a delivery (call contact
 * search, attach, comments) would otherwise need one more parameter. Outside a delivery (admin
 * checks) there is none.
 */
export interface Slot {
  /** Gives the slot back: the delivery waits for something that is not the account's work slot. */
  park(): void;
  /** Takes a slot of the account again; resolves once one is free. */
  unpark(): Promise<void>;
}

export const currentSlot = new AsyncLocalStorage<Slot>();

/**
 * Waits for `work` that another delivery is doing (a REST answer several deliveries share) with
 * the slot given back meanwhile. Holding it would deadlock: the delivery doing the work parked at
 * the limiter and must take a slot again to finish, and with every slot held by deliveries waiting
 * for its answer, none would free.
 */
export async function waitParked<T>(work: Promise<T>): Promise<T> {
  const slot = currentSlot.getStore();
  slot?.park();
  try {
    return await work;
  } finally {
    await slot?.unpark();
  }
}
