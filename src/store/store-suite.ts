// The cross-engine store suite: every Store method, run by sqlite.test.ts and postgres.test.ts.

import { describe } from "node:test";
import { associationTests } from "./suite/associations.js";
import { hashingTests } from "./suite/hashing.js";
import type { OpenStore } from "./suite/harness.js";
import { storeTester } from "./suite/harness.js";
import { accountTests, inviteTests } from "./suite/invites-accounts.js";
import { lookupTests } from "./suite/lookups.js";
import { peerTests } from "./suite/peers.js";
import { sessionTests } from "./suite/sessions.js";
import { transactionTests } from "./suite/transactions.js";

export type { OpenStore, OpenedStore } from "./suite/harness.js";

export function runStoreSuite(name: string, open: OpenStore, skip: string | false = false): void {
  const t = storeTester(open);
  describe(name, { skip }, () => {
    describe("sessions", () => sessionTests(t));
    describe("associations", () => associationTests(t));
    describe("lookups", () => lookupTests(t));
    describe("hashing", () => hashingTests(t));
    describe("invites", () => inviteTests(t));
    describe("accounts", () => accountTests(t));
    describe("peers", () => peerTests(t));
    describe("transactions", () => transactionTests(t));
  });
}
