// The senders as Deps carries them: SMS counted by provider and outcome, through the fetch given.
import assert from "node:assert/strict";
import { after, describe, test } from "node:test";
import { testDeps } from "../../test/deps.js";
import { startHttpServer } from "../../test/http-server.js";
import { directFetch } from "./sms/http.js";
import { SmsSendError } from "./types.js";

describe("createSenders (through testDeps)", () => {
  test("SMS are counted in cairn_sms_sent_total by provider and outcome", async () => {
    let status = 202;
    const server = await startHttpServer(() => ({ status }));
    after(() => server.close());
    const deps = await testDeps({
      conf: { sms: { "openmarket.base_url": `${server.base}/mt` } },
      fetch: directFetch(),
    });
    after(() => deps.cleanup());
    const request = { msisdn: "447700900461", countryCode: "44", body: "Your code is 1" };
    await deps.sms.send(request);
    status = 400;
    await assert.rejects(deps.sms.send(request), SmsSendError);
    const values = (await deps.metrics.smsSent.get()).values.map((v) => [v.labels, v.value]);
    assert.deepEqual(values, [
      [{ provider: "openmarket", outcome: "sent" }, 1],
      [{ provider: "openmarket", outcome: "failed" }, 1],
    ]);
  });

  test("test deps reach no SMS provider unless given a fetch", async () => {
    const deps = await testDeps();
    after(() => deps.cleanup());
    await assert.rejects(
      deps.sms.send({ msisdn: "447700900461", countryCode: "44", body: "x" }),
      /this test set no SMS provider/,
    );
  });
});
