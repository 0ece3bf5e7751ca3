import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { formatSigningKeyLine, parseSigningKeyLine } from "./signing-key-line.js";

// golden.json: seed 00 01 … 1f.
const SEED = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
const LINE = "ed25519 0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";

describe("signing key line", () => {
  test("formats as Sydent writes it: unpadded standard base64", () => {
    assert.equal(formatSigningKeyLine({ version: "0", seed: SEED }), LINE);
    const plusSlash = Buffer.alloc(32, 0xfb);
    assert.match(formatSigningKeyLine({ version: "1", seed: plusSlash }), /^ed25519 1 [+/A-Za-z0-9]{43}$/);
  });

  test("reads the current format, padded or not, standard or URL-safe alphabet", () => {
    const seed = Buffer.alloc(32, 0xfb); // base64 full of + and /
    const std = seed.toString("base64");
    for (const text of [std, std.replace(/=+$/, ""), seed.toString("base64url")]) {
      const parsed = parseSigningKeyLine(`ed25519 a_1 ${text}`);
      assert.deepEqual(parsed, { ok: true, key: { version: "a_1", seed }, legacy: false }, text);
    }
    assert.deepEqual(parseSigningKeyLine(LINE), {
      ok: true,
      key: { version: "0", seed: SEED },
      legacy: false,
    });
  });

  test("reads the 2014 format (64 hex digits) as version 0, marked legacy", () => {
    const hex = "47f4a49693ecd1652f6f229436674e5f5924ae611b4c411997d4d9a8200d005e";
    const parsed = parseSigningKeyLine(hex.toUpperCase());
    assert.deepEqual(parsed, {
      ok: true,
      key: { version: "0", seed: Buffer.from(hex, "hex") },
      legacy: true,
    });
    assert.equal(
      parsed.ok && formatSigningKeyLine(parsed.key),
      "ed25519 0 R/SklpPs0WUvbyKUNmdOX1kkrmEbTEEZl9TZqCANAF4",
    );
  });

  test("rejects malformed lines with a reason", () => {
    const cases: [string, RegExp][] = [
      ["47f4a496", /not a signing key/],
      ["ed25519 0", /not a signing key/],
      ["ed25519  0 AAEC", /not a signing key/],
      ["ed25519 0 AAEC extra", /not a signing key/],
      [
        "curve25519 0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8",
        /unsupported signing key algorithm 'curve25519'/,
      ],
      ["ed25519 0:1 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8", /bad signing key version '0:1'/],
      ["ed25519 0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg", /exactly 32 bytes/],
      ["ed25519 0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8A", /exactly 32 bytes/],
      ["ed25519 0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd!h8", /exactly 32 bytes/],
      ["ed25519 0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8==", /exactly 32 bytes/],
      ["ed25519 0 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxw+Hh_", /exactly 32 bytes/],
    ];
    for (const [line, reason] of cases) {
      const parsed = parseSigningKeyLine(line);
      assert.ok(!parsed.ok && reason.test(parsed.error), `${line}: ${JSON.stringify(parsed)}`);
    }
  });
});
