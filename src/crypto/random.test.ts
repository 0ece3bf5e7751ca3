import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ALPHANUMERIC,
  ASCII_LETTERS,
  DIGITS,
  MAX_RANDOM_INT,
  cryptoRandom,
  randomFromBytes,
} from "./random.js";

/** A Random whose bytes come from `script`, in order; records how many bytes each call asked for. */
function scripted(script: number[]) {
  const requests: number[] = [];
  let position = 0;
  const random = randomFromBytes((n) => {
    requests.push(n);
    const out = Buffer.from(script.slice(position, position + n));
    assert.equal(out.length, n, "script exhausted");
    position += n;
    return out;
  });
  return { random, requests };
}

/** A Random whose bytes run 0, 1, ..., 255, 0, 1, ... */
function cycling() {
  let next = 0;
  return randomFromBytes((n) => Buffer.from(Array.from({ length: n }, () => next++ % 256)));
}

test("int() rejects draws above the bound instead of folding them onto low values", () => {
  const { random, requests } = scripted([0x03, 0x06]);
  assert.equal(random.int(2), 2, "3 is rejected, then 6 mod 4 = 2");
  assert.deepEqual(requests, [1, 1]);
});

test("int() covers Sydent's sid range [0, 2^31] inclusive", () => {
  const { random } = scripted([0xff, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(random.int(2 ** 31), 2 ** 31);
  assert.equal(random.int(2 ** 31), 0);
  const wide = scripted([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  assert.equal(wide.random.int(MAX_RANDOM_INT), MAX_RANDOM_INT);
  assert.deepEqual(wide.requests, [6]);
});

test("int(0) is 0 without drawing; bad bounds are refused", () => {
  const { random, requests } = scripted([]);
  assert.equal(random.int(0), 0);
  assert.deepEqual(requests, []);
  for (const bound of [-1, 1.5, MAX_RANDOM_INT + 1, Number.NaN]) {
    assert.throws(() => random.int(bound), RangeError, String(bound));
  }
});

test("string() gives every alphabet character the same share of the byte values", () => {
  const text = cycling().string(992, ALPHANUMERIC);
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  assert.equal(counts.size, 62);
  assert.deepEqual(new Set(counts.values()), new Set([16]), "bytes 248-255 are rejected, the rest map 4:1");
});

test("string() skips rejected bytes and draws more", () => {
  const { random, requests } = scripted([250, 255, 7, 3, 9]);
  assert.equal(random.string(2, DIGITS), "73");
  assert.deepEqual(requests, [2, 2]);
  assert.equal(random.string(0, DIGITS), "");
});

test("string() draws whole code points from the alphabet and refuses impossible alphabets", () => {
  assert.equal(scripted([0, 1, 2]).random.string(3, "\u{1f600}é"), "\u{1f600}é\u{1f600}");
  assert.throws(() => cryptoRandom.string(1, ""), RangeError);
  assert.throws(() => cryptoRandom.string(1, "x".repeat(257)), RangeError);
});

test("the CSPRNG produces Sydent's token shapes", () => {
  assert.match(cryptoRandom.string(32, ALPHANUMERIC), /^[0-9a-zA-Z]{32}$/);
  assert.match(cryptoRandom.string(6, DIGITS), /^[0-9]{6}$/);
  assert.match(cryptoRandom.string(128, ASCII_LETTERS), /^[a-zA-Z]{128}$/);
  assert.match(cryptoRandom.string(5, ALPHANUMERIC), /^[0-9a-zA-Z]{5}$/);
  const sid = cryptoRandom.int(2 ** 31);
  assert.ok(Number.isInteger(sid) && sid >= 0 && sid <= 2 ** 31);
  assert.equal(cryptoRandom.bytes(16).length, 16);
  assert.notDeepEqual(cryptoRandom.bytes(16), cryptoRandom.bytes(16));
});

test("the CSPRNG's int() is roughly uniform", () => {
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 10_000; i++) {
    const value = cryptoRandom.int(9);
    buckets[value] = (buckets[value] ?? 0) + 1;
  }
  for (const count of buckets) assert.ok(count > 800 && count < 1200, `bucket of ${count}`);
});
