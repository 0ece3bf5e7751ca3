import assert from "node:assert/strict";
import type { StoreTest } from "./harness.js";
import { now } from "./harness.js";

export function leaseTests(t: StoreTest): void {
  t("a lease is held by one holder until it expires, and its holder can renew it", async (store) => {
    assert.equal(await store.leases.tryAcquire("job", "a", now, 1000), true);
    assert.equal(await store.leases.tryAcquire("job", "b", now + 999, 1000), false);
    assert.equal(await store.leases.tryAcquire("job", "a", now + 500, 1000), true, "renewed by its holder");
    assert.equal(
      await store.leases.tryAcquire("job", "b", now + 1499, 1000),
      false,
      "renewal moved the expiry",
    );
    assert.equal(await store.leases.tryAcquire("job", "b", now + 1500, 1000), true, "free once expired");
    assert.equal(await store.leases.tryAcquire("other", "a", now, 1000), true, "leases are per name");
  });

  t("releasing frees the lease only for its holder", async (store) => {
    await store.leases.tryAcquire("job", "a", now, 60_000);
    await store.leases.release("job", "b");
    assert.equal(await store.leases.tryAcquire("job", "b", now, 60_000), false);
    await store.leases.release("job", "a");
    assert.equal(await store.leases.tryAcquire("job", "b", now, 60_000), true);
  });

  t("of many holders racing for a free lease exactly one wins", async (store) => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => store.leases.tryAcquire("race", `h${i}`, now, 60_000)),
    );
    assert.equal(results.filter(Boolean).length, 1);
  });
}
