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
