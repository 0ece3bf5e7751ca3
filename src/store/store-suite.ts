// The cross-engine store suite: every Store method, run by sqlite.test.ts and postgres.test.ts.

import { describe } from "node:test";
import { associationTests } from "./suite/associations.js";
import { hashingTests } from "./suite/hashing.js";
import type { OpenStore } from "./suite/harness.js";
import { storeTester } from "./suite/harness.js";
import { inviteLifecycleTests } from "./suite/invite-lifecycle.js";
import { accountTests, inviteTests } from "./suite/invites-accounts.js";
import { leaseTests } from "./suite/leases.js";
import { lookupTests } from "./suite/lookups.js";
import { onbindTests } from "./suite/onbind.js";
import { peerTests } from "./suite/peers.js";
import { sessionTests } from "./suite/sessions.js";
import { transactionTests } from "./suite/transactions.js";

export type { OpenStore, OpenedStore } from "./suite/harness.js";

export function runStoreSuite(name: string, open: OpenStore, skip: string | false = false): void {
  const t = storeTester(open);
  // Every test has its own store, so they can all run at once.
  const concurrency = true;
  describe(name, { skip, concurrency }, () => {
    describe("sessions", { concurrency }, () => sessionTests(t));
    describe("associations", { concurrency }, () => associationTests(t));
    describe("lookups", { concurrency }, () => lookupTests(t));
    describe("hashing", { concurrency }, () => hashingTests(t));
    describe("invites", { concurrency }, () => inviteTests(t));
    describe("invite lifecycle", { concurrency }, () => inviteLifecycleTests(t));
    describe("accounts", { concurrency }, () => accountTests(t));
    describe("peers", { concurrency }, () => peerTests(t));
    describe("transactions", { concurrency }, () => transactionTests(t));
    describe("leases", { concurrency }, () => leaseTests(t));
    describe("onbind queue", { concurrency }, () => onbindTests(t));
  });
}
