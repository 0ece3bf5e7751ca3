import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { engines, FIXTURE_NOW } from "../../../test/deps.js";
import { readFixtureJson } from "../../../test/fixtures.js";
import {
  sessionApp,
  USER_TOKEN,
  V1,
  V2,
  type RecordingMailer,
  type SessionApp,
} from "../../../test/sessions.js";
import { tempDatabase } from "../../../test/sqlite-files.js";
import { SESSION_LIFETIME_MS } from "../../domain/sessions.js";

const GET = `${V1}/3pid/getValidated3pid`;

async function withApp(engine: "sqlite" | "postgres", fn: (s: SessionApp) => Promise<void>) {
  const s = await sessionApp({ engine });
  try {
    await fn(s);
  } finally {
    await s.close();
  }
}

const query = (sid: string | number, secret: string) =>
  `?${new URLSearchParams({ sid: String(sid), client_secret: secret })}`;

for (const engine of engines()) {
  describe(`${engine}: getValidated3pid`, () => {
    test("Sydent's errors in Sydent's order, then the session as requested", async () => {
      await withApp(engine, async (s) => {
        const requestedAt = s.deps.clock.now();
        const res = await s.app.inject({
          method: "POST",
          url: `${V1}/validate/email/requestToken`,
          payload: { email: "Carol@Example.ORG", client_secret: "s1", send_attempt: 1 },
        });
        const { sid } = res.json();
        const token = (s.mailer as RecordingMailer).sent[0]!.vars.token;
        const get = (sid: string | number, secret: string) =>
          s.app.inject({ url: `${GET}${query(sid, secret)}` });
        const noSession = {
          errcode: "M_NO_VALID_SESSION",
          error: "No valid session was found matching that sid and client secret",
        };
        for (const [id, secret] of [
          ["999", "s1"],
          [sid, "s2"],
          ["x", "s1"],
        ]) {
          const r = await get(id!, secret!);
          assert.equal(r.statusCode, 404);
          assert.deepEqual(r.json(), noSession);
        }
        const bad = await get(sid, "s 1");
        assert.deepEqual([bad.statusCode, bad.json().error], [400, "Invalid client_secret provided"]);
        const notYet = await get(sid, "s1");
        assert.equal(notYet.statusCode, 400);
        assert.deepEqual(notYet.json(), {
          errcode: "M_SESSION_NOT_VALIDATED",
          error: "This validation session has not yet been completed",
        });
        s.deps.clock.advance(1000);
        await s.app.inject({
          method: "POST",
          url: `${V1}/validate/email/submitToken`,
          payload: { sid, token, client_secret: "s1" },
        });
        const ok = await get(sid, "s1");
        assert.equal(ok.statusCode, 200);
        assert.deepEqual(ok.json(), {
          medium: "email",
          address: "Carol@Example.ORG",
          validated_at: requestedAt,
        });

        s.deps.clock.advance(SESSION_LIFETIME_MS);
        const expired = await get(sid, "s1");
        assert.equal(expired.statusCode, 400);
        assert.equal(expired.json().errcode, "M_SESSION_EXPIRED");

        const v2 = `${V2}/3pid/getValidated3pid${query(sid, "s1")}`;
        assert.equal((await s.app.inject({ url: v2 })).statusCode, 401);
        const authed = await s.app.inject({ url: v2, headers: { authorization: `Bearer ${USER_TOKEN}` } });
        assert.equal(authed.json().errcode, "M_SESSION_EXPIRED");
        const missing = await s.app.inject({ url: GET });
        assert.equal(missing.json().error, "Missing parameters: sid,client_secret");
      });
    });
  });
}

interface FixtureSession {
  sid: number;
  medium: string;
  address_in_session_row: string;
  client_secret: string;
  validated_column: number;
  mtime: number;
  token: string;
}

describe("sessions written by Sydent (fixtures current/sydent.db)", () => {
  const sessions = (readFixtureJson("current", "facts.json") as { sessions: Record<string, FixtureSession> })
    .sessions;

  test("every validated session is bind-ready; erin's and frank's validate with their recorded tokens", async () => {
    const file = tempDatabase("current", "sydent.db");
    const s = await sessionApp({ conf: { db: { "db.file": file.path } }, now: FIXTURE_NOW });
    try {
      const get = (session: FixtureSession) =>
        s.app.inject({ url: `${GET}${query(session.sid, session.client_secret)}` });
      const expected = (session: FixtureSession) => ({
        medium: session.medium,
        address: session.address_in_session_row,
        validated_at: session.mtime,
      });
      assert.equal(Object.keys(sessions).length, 10);
      for (const [name, session] of Object.entries(sessions)) {
        const res = await get(session);
        if (session.validated_column === 1) {
          assert.equal(res.statusCode, 200, name);
          assert.deepEqual(res.json(), expected(session), name);
          continue;
        }
        assert.equal(res.json().errcode, "M_SESSION_NOT_VALIDATED", name);
        const medium = session.medium === "email" ? "email" : "msisdn";
        const submit = await s.app.inject({
          method: "POST",
          url: `${V1}/validate/${medium}/submitToken`,
          payload: { sid: String(session.sid), client_secret: session.client_secret, token: session.token },
        });
        assert.deepEqual(submit.json(), { success: true }, name);
        assert.deepEqual((await get(session)).json(), expected(session), name);
      }
      assert.deepEqual(
        Object.entries(sessions)
          .filter(([, session]) => session.validated_column === 0)
          .map(([name]) => name)
          .sort(),
        ["erin_email", "frank_msisdn"],
      );
    } finally {
      await s.close();
      file.remove();
    }
  });

  test("requestToken with a recorded secret finds Sydent's session and re-sends its token", async () => {
    const file = tempDatabase("current", "sydent.db");
    const s = await sessionApp({ conf: { db: { "db.file": file.path } }, now: FIXTURE_NOW });
    try {
      const erin = sessions["erin_email"]!;
      const res = await s.app.inject({
        method: "POST",
        url: `${V1}/validate/email/requestToken`,
        payload: { email: erin.address_in_session_row, client_secret: erin.client_secret, send_attempt: 1 },
      });
      assert.deepEqual(res.json(), { sid: String(erin.sid) });
      assert.equal((s.mailer as RecordingMailer).sent[0]?.vars.token, erin.token);
    } finally {
      await s.close();
      file.remove();
    }
  });
});
