import assert from "node:assert/strict";
import { test } from "node:test";
import { golden } from "../../test/golden.js";
import { canonicalJson, canonicalJsonBytes, compareCodePoints, pythonJsonDumps } from "./canonical-json.js";

/** JSON.parse keeping integers beyond 2^53 exact, as bigints (Node 20 cannot see the source text). */
function parseWithBigInts(text: string): unknown {
  const tokens = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g;
  const marked = text.replace(tokens, (t) =>
    /^-?\d+$/.test(t) && !Number.isSafeInteger(Number(t)) ? `"#bigint:${t}"` : t,
  );
  return JSON.parse(marked, (_key, value: unknown) =>
    typeof value === "string" && value.startsWith("#bigint:") ? BigInt(value.slice(8)) : value,
  );
}

test("every golden canonical_json vector encodes to Sydent's exact bytes", () => {
  assert.equal(golden.canonical_json.items.length, 3);
  for (const item of golden.canonical_json.items) {
    const input = parseWithBigInts(item.input_json_ascii);
    assert.equal(canonicalJson(input), item.canonical.utf8, item.note);
    assert.equal(canonicalJsonBytes(input).toString("hex"), item.canonical.hex, item.note);
  }
});

test("integers beyond 2^53 need a bigint to survive", () => {
  assert.equal(
    canonicalJson({ big: 9007199254740993n, neg: -9007199254740993n }),
    '{"big":9007199254740993,"neg":-9007199254740993}',
  );
  const parsed = JSON.parse("9007199254740993") as number;
  assert.equal(canonicalJson(parsed), "9007199254740992", "a number prints the double it holds");
  assert.equal(canonicalJson(1e21), "1000000000000000000000");
  assert.equal(canonicalJson(-0), "0");
});

test("keys sort by code point, not by UTF-16 unit", () => {
  const keys = ["😀", "\uffff", "é", "Z", "a", ""];
  assert.deepEqual([...keys].sort(), ["", "Z", "a", "é", "😀", "\uffff"], "the JavaScript default differs");
  assert.deepEqual([...keys].sort(compareCodePoints), ["", "Z", "a", "é", "\uffff", "😀"]);
  assert.equal(canonicalJson({ "😀": 1, "\uffff": 2 }), '{"\uffff":2,"😀":1}');
  assert.ok(compareCodePoints("a", "ab") < 0);
  assert.ok(compareCodePoints("\ud83d\ude00", "\ud83d\ude01") < 0);
  assert.equal(compareCodePoints("x", "x"), 0);
});

test("only quotes, backslashes and C0 controls are escaped; the rest is raw UTF-8", () => {
  const text = '"\\/\b\f\n\r\t\u0000\u0001\u001f\u007f\u2028\u2029é😀';
  assert.equal(canonicalJson(text), '"\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\u007f\u2028\u2029é😀"');
  assert.equal(canonicalJsonBytes("é😀").toString("hex"), "22c3a9f09f988022");
});

test("non-integral numbers print as Python's float repr", () => {
  const cases: [number, string][] = [
    [1.5, "1.5"],
    [0.1, "0.1"],
    [-123.456, "-123.456"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [-2.5e-7, "-2.5e-07"],
    [1.5e-300, "1.5e-300"],
  ];
  for (const [value, text] of cases) {
    assert.equal(canonicalJson(value), text);
    assert.equal(pythonJsonDumps(value), text);
  }
});

test("values JSON cannot carry are refused with their location", () => {
  const refused: [unknown, RegExp][] = [
    [Number.NaN, /cannot encode NaN as JSON at \$$/],
    [{ a: [1, Number.POSITIVE_INFINITY] }, /cannot encode Infinity as JSON at \$\["a"\]\[1\]/],
    [{ a: -Infinity }, /-Infinity/],
    [{ a: undefined }, /cannot encode undefined as JSON at \$\["a"\]/],
    [[undefined], /undefined as JSON at \$\[0\]/],
    [undefined, /undefined/],
    [{ f: () => 1 }, /cannot encode function/],
    [{ s: Symbol("s") }, /cannot encode symbol/],
    [{ d: new Date(0) }, /an instance of Date as JSON at \$\["d"\]/],
    [new Map(), /an instance of Map/],
    [Buffer.from("x"), /an instance of Buffer/],
  ];
  for (const [value, message] of refused) {
    assert.throws(() => canonicalJson(value), { name: "TypeError", message });
    assert.throws(() => pythonJsonDumps(value), { name: "TypeError", message });
  }
});

test("cycles are refused, shared references are not", () => {
  const cycle: Record<string, unknown> = {};
  cycle.self = { back: cycle };
  assert.throws(() => canonicalJson(cycle), /circular reference as JSON at \$\["self"\]\["back"\]/);
  const shared = { x: 1 };
  assert.equal(canonicalJson({ a: shared, b: [shared] }), '{"a":{"x":1},"b":[{"x":1}]}');
});

test("canonical JSON refuses lone surrogates, which Python cannot encode as UTF-8", () => {
  assert.throws(() => canonicalJson({ a: "x\ud800" }), /lone surrogate.*at \$\["a"\]/);
  assert.throws(() => canonicalJson({ "\udc00": 1 }), /lone surrogate/);
});

test("objects without a prototype encode like plain ones", () => {
  const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: 2 });
  assert.equal(canonicalJson(bare), '{"a":2,"b":1}');
  assert.equal(pythonJsonDumps(bare), '{"b": 1, "a": 2}');
});

test("pythonJsonDumps reproduces every golden HTTP body and sgAssoc string", () => {
  for (const item of golden.signed_associations.items) {
    assert.equal(pythonJsonDumps(item.signed_association), item.as_stored_sgAssoc);
    assert.equal(pythonJsonDumps(item.signed_association), item.as_http_json_body.utf8);
  }
  const bodies = [
    golden.mxid_signed.as_http_json_body.utf8,
    golden.sign_ed25519.response.body.utf8,
    golden.x_matrix.request.body.utf8,
    golden.x_matrix.sydent_response_tampered.body.utf8,
    ...Object.values(golden.pubkey_responses).map((r) => r.body.utf8),
  ];
  for (const body of bodies) assert.equal(pythonJsonDumps(JSON.parse(body)), body);
  assert.equal(
    pythonJsonDumps(golden.mxid_signed.signed_association_returned_by_addBinding),
    golden.mxid_signed.as_http_json_body.utf8,
  );
});

test("pythonJsonDumps escapes everything outside printable ASCII, keeping insertion order", () => {
  assert.equal(
    pythonJsonDumps({ z: "é😀\u007f\u2028", a: ['"\\\n\u0001', true, null], e: {}, l: [] }),
    '{"z": "\\u00e9\\ud83d\\ude00\\u007f\\u2028", "a": ["\\"\\\\\\n\\u0001", true, null], "e": {}, "l": []}',
  );
  assert.equal(pythonJsonDumps("\ud800x"), '"\\ud800x"', "a lone surrogate is escaped, as Python does");
  assert.equal(pythonJsonDumps({ n: 12n, m: -5 }), '{"n": 12, "m": -5}');
});
