import assert from "node:assert/strict";
import { test } from "node:test";
import { pythonInt, pythonStr } from "./python-int.js";

// Each pair: input and what Python 3.11's int() made of it (null: ValueError).
const fromPython: [string, number | null][] = [
  ["1", 1],
  [" 2 ", 2],
  ["+3", 3],
  ["-4", -4],
  ["1_000", 1000],
  ["1__0", null],
  ["_1", null],
  ["1_", null],
  ["\u0663", 3],
  ["\u{1d7d7}", 9],
  ["0x10", null],
  ["1.5", null],
  ["", null],
  ["  ", null],
  ["\u20071", 1],
  ["1\u3000", 1],
  ["\uff11\uff12", 12],
  ["-0", 0],
  ["1e3", null],
  ["\u001c5\u001f", null],
  ["\ufeff1", null],
];

test("strings convert as Python's int() converts them", () => {
  for (const [input, expected] of fromPython) assert.equal(pythonInt(input), expected, JSON.stringify(input));
});

test("JSON numbers, booleans and other types", () => {
  assert.equal(pythonInt(7), 7);
  assert.equal(pythonInt(-1), -1);
  assert.equal(pythonInt(1.9), 1);
  assert.equal(pythonInt(-1.9), -1);
  assert.ok(Object.is(pythonInt(-0.5), 0));
  assert.equal(pythonInt(true), 1);
  assert.equal(pythonInt(false), 0);
  assert.equal(pythonInt(null), null);
  assert.equal(pythonInt([1]), null);
  assert.equal(pythonInt({}), null);
});

test("huge values keep their sign", () => {
  assert.equal(pythonInt("99999999999999999999"), Number.MAX_SAFE_INTEGER);
  assert.equal(pythonInt("-99999999999999999999"), -Number.MAX_SAFE_INTEGER);
  assert.equal(pythonInt(1e300), Number.MAX_SAFE_INTEGER);
});

test("str() of JSON values reads as Python prints them", () => {
  assert.equal(pythonStr([1, "a'b", null, true, { x: "y" }]), `[1, "a'b", None, True, {'x': 'y'}]`);
  assert.equal(pythonStr({ a: [1, 2] }), "{'a': [1, 2]}");
  assert.equal(pythonStr("abc"), "abc");
  assert.equal(pythonStr(null), "None");
  assert.equal(pythonStr(["a\nb\\"]), "['a\\nb\\\\']");
  assert.equal(pythonStr([1.5]), "[1.5]");
});
