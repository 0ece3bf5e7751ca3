// The invitation flow end to end, over real sockets: a homeserver stores an invitation; the email
// reaches a real SMTP server with every variable and the exact subject; its link's `signurl` points
// at this server, and following it as matrix-js-sdk does (POST, no auth, `mxid` added) returns a
// signature that verifies against the ephemeral key handed to the homeserver; both
// `key_validity_url`s answer valid, and the checks are counted.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { simpleParser } from "mailparser";
import { decodeBase64 } from "../../crypto/base64.js";
import { verifySignedJson } from "../../crypto/signed-json.js";
import { engines, GOLDEN_PUBLIC_KEY, TEST_SERVER_NAME } from "../../../test/deps.js";
import {
  ALICE,
  ALICE_TOKEN,
  inviteBody,
  inviteServer,
  storeInviteV2,
  V1,
  V2,
  type InviteServer,
} from "../../../test/invites.js";

interface StoreInviteBody {
  token: string;
  public_key: string;
  public_keys: { public_key: string; key_validity_url: string }[];
  display_name: string;
}

const GRACE = "@grace:example.org";

for (const engine of engines()) {
  describe(`the invitation flow on ${engine}`, () => {
    let server: InviteServer;
    before(async () => {
      server = await inviteServer(engine);
    });
    after(() => server.close());

    test("store, email, follow the link, sign, check the keys", async () => {
      const res = await storeInviteV2(
        server,
        inviteBody({
          room_name: "Tea Party <Mad> & Hatter's Café – Wonderland chapter 7",
          sender_display_name: "Alice Liddell-Wonderland 🐇",
          room_avatar_url: "mxc://example.org/RoomAvatar",
          "org.matrix.web_client_location": "https://chat.example.org",
        }),
      );
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json<StoreInviteBody>();
      assert.match(body.token, /^[A-Za-z]{128}$/);
      const ephemeral = body.public_keys[1]?.public_key ?? "";
      assert.match(ephemeral, /^[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(body, {
        token: body.token,
        public_key: GOLDEN_PUBLIC_KEY,
        public_keys: [
          { public_key: GOLDEN_PUBLIC_KEY, key_validity_url: `${server.base}${V1}/pubkey/isvalid` },
          { public_key: ephemeral, key_validity_url: `${server.base}${V1}/pubkey/ephemeral/isvalid` },
        ],
        display_name: "Gra...@Exa...",
      });

      // The email: to the case-folded address, with Sydent's exact subject encoding.
      assert.equal(server.smtp.received.length, 1);
      const received = server.smtp.received[0];
      assert.deepEqual(received?.to, ["grace.hopper+invite@example.com"]);
      const raw = received?.data.toString("utf8") ?? "";
      assert.match(
        raw,
        /\r\nSubject: =\?utf8\?q\?Alice_Liddell-Wonde=E2=80=A6_has_invited_you_to_chat\?=\r\n/,
      );
      const mail = await simpleParser(received?.data ?? Buffer.alloc(0));
      assert.equal(mail.subject, "Alice Liddell-Wonde… has invited you to chat");
      const text = mail.text ?? "";
      assert.match(
        text,
        /Alice Liddell-Wonde… \(@alice:example\.org\) invited you to join\nthe conversation \(Tea Party <Mad> & Hatter'…\) on Matrix\./,
      );
      const link = /^https:\/\/chat\.example\.org\/#\/room\/\S+$/m.exec(text)?.[0] ?? "";
      const params = new URLSearchParams(link.slice(link.indexOf("?") + 1));
      assert.equal(params.get("email"), "grace.hopper+invite@example.com");
      assert.equal(params.get("room_name"), "Tea Party <Mad> & Hatter'…");
      assert.equal(params.get("room_avatar_url"), "mxc://example.org/RoomAvatar");
      assert.equal(params.get("inviter_name"), "Alice Liddell-Wonde…");
      const signurl = new URL(params.get("signurl") ?? "");
      assert.equal(signurl.origin + signurl.pathname, `${server.base}${V1}/sign-ed25519`);
      assert.equal(signurl.searchParams.get("token"), body.token);

      // matrix-js-sdk's joinRoom: POST the signurl with `mxid` added, no auth, no body.
      signurl.searchParams.set("mxid", GRACE);
      const signed = await fetch(signurl, { method: "POST" });
      assert.equal(signed.status, 200);
      const proof = (await signed.json()) as Record<string, unknown>;
      assert.deepEqual(
        { mxid: proof.mxid, sender: proof.sender, token: proof.token },
        { mxid: GRACE, sender: ALICE, token: body.token },
      );
      assert.deepEqual(verifySignedJson(proof, TEST_SERVER_NAME, "ed25519:0", decodeBase64(ephemeral)), {
        ok: true,
      });

      // Element's older form: a JSON `null` body with a JSON content type, arguments in the query.
      const again = await fetch(signurl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "null",
      });
      assert.deepEqual(await again.json(), proof);

      // The homeserver checks both keys at the URLs it was given.
      for (const { public_key, key_validity_url } of body.public_keys) {
        const check = await fetch(`${key_validity_url}?public_key=${encodeURIComponent(public_key)}`);
        assert.deepEqual(await check.json(), { valid: true });
      }
      const [stored] = await server.deps.store.invites.list({});
      assert.equal(stored?.publicKey, ephemeral);
      assert.equal(stored?.keyChecks, 1);
      await fetch(`${body.public_keys[1]?.key_validity_url}?public_key=${ephemeral}`);
      assert.equal((await server.deps.store.invites.list({}))[0]?.keyChecks, 2);
    });

    test("v2 with the access token in the body instead of a header", async () => {
      const res = await server.app.inject({
        method: "POST",
        url: `${V2}/store-invite`,
        payload: inviteBody({ address: "body-token@example.org", access_token: ALICE_TOKEN }),
      });
      assert.equal(res.statusCode, 200, res.body);
      const [stored] = await server.deps.store.invites.list({ address: "body-token@example.org" });
      assert.equal(stored?.sender, ALICE);
    });

    test("a v1 space invitation uses the space subject and the configured web client", async () => {
      const before = server.smtp.received.length;
      const res = await server.app.inject({
        method: "POST",
        url: `${V1}/store-invite`,
        payload: inviteBody({
          address: "henry@example.com",
          sender: "@bob:example.org",
          room_type: "m.space",
          room_name: "Bob's Space",
          sender_display_name: "Bob",
        }),
      });
      assert.equal(res.statusCode, 200, res.body);
      const mail = await simpleParser(server.smtp.received[before]?.data ?? Buffer.alloc(0));
      assert.equal(mail.subject, "Bob has invited you to a space");
      assert.match(mail.text ?? "", /^Bob invited you to join\nthe space \(Bob's Space\) on Matrix\.$/m);
      assert.match(mail.text ?? "", /^https:\/\/app\.element\.io\/#\/room\/%21lovelace%3Aexample\.org\?/m);
    });
  });
}

describe("key validity URLs without client_http_base", () => {
  test("use https://<server.name> (Sydent wrote a relative URL no homeserver can fetch)", async () => {
    const server = await inviteServer("sqlite", { http: { client_http_base: "" } });
    try {
      const res = await storeInviteV2(server, inviteBody());
      const urls = res.json<StoreInviteBody>().public_keys.map((k) => k.key_validity_url);
      assert.deepEqual(urls, [
        `https://${TEST_SERVER_NAME}${V1}/pubkey/isvalid`,
        `https://${TEST_SERVER_NAME}${V1}/pubkey/ephemeral/isvalid`,
      ]);
      const mail = server.smtp.received[0]?.data.toString() ?? "";
      const signurl = decodeURIComponent(/signurl=([^&\s]+)/.exec(mail)?.[1] ?? "");
      assert.ok(signurl.startsWith(`https://${TEST_SERVER_NAME}${V1}/sign-ed25519?token=`), signurl);
    } finally {
      await server.close();
    }
  });
});
