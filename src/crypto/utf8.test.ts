import assert from "node:assert/strict";
import { test } from "node:test";
import { hasLoneSurrogate, utf8Bytes } from "./utf8.js";

test("well-formed text encodes as UTF-8, surrogate pairs included", () => {
  assert.equal(utf8Bytes("aé\u{1f600}").toString("hex"), "61c3a9f09f9880");
  assert.equal(hasLoneSurrogate("\ud83d\ude00"), false);
});

test("a lone surrogate is refused instead of silently becoming U+FFFD", () => {
  for (const text of ["\ud800", "a\udc00", "\ude00\ud83d"]) {
    assert.equal(hasLoneSurrogate(text), true, JSON.stringify(text));
    assert.throws(() => utf8Bytes(text), TypeError);
  }
  assert.equal(Buffer.from("\ud800").toString("hex"), "efbfbd", "what Node would do on its own");
});
