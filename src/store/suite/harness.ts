// Shared plumbing of the cross-engine store suite: each test gets a fresh, empty store.

import { test } from "node:test";
import type { Store } from "../store.js";

export interface OpenedStore {
  store: Store;
  /** Closes the store and removes what the test created. */
  cleanup(): Promise<void>;
}

export type OpenStore = () => Promise<OpenedStore>;

export type StoreTest = (name: string, fn: (store: Store) => Promise<void>) => void;

export function storeTester(open: OpenStore): StoreTest {
  return (name, fn) =>
    test(name, async () => {
      const { store, cleanup } = await open();
      try {
        await fn(store);
      } finally {
        await cleanup();
      }
    });
}

/** A fixed "now" in ms for the suite. */
export const now = 1_700_000_000_000;
