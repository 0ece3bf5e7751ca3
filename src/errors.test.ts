import assert from "node:assert/strict";
import { test } from "node:test";
import { MatrixError, missingParams } from "./errors.js";

test("a MatrixError takes its status from the errcode table unless told otherwise", () => {
  assert.equal(new MatrixError("M_NO_VALID_SESSION", "x").status, 404);
  assert.equal(new MatrixError("M_NO_VALID_SESSION", "x", { status: 401 }).status, 401);
});

test("the body carries errcode, error and any extra members", () => {
  const err = new MatrixError("M_THREEPID_IN_USE", "Binding already known", { extra: { mxid: "@a:b" } });
  assert.deepEqual(err.toJSON(), {
    errcode: "M_THREEPID_IN_USE",
    error: "Binding already known",
    mxid: "@a:b",
  });
});

test("missing parameters are listed comma-joined in the declared order, as Sydent does", () => {
  assert.equal(missingParams(["email", "client_secret"]).message, "Missing parameters: email,client_secret");
});
