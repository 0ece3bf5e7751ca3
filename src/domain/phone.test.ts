import assert from "node:assert/strict";
import { test } from "node:test";
import { MatrixError } from "../errors.js";
import { parsePhone } from "./phone.js";

// [phone_number, country, msisdn, calling code, INTERNATIONAL format] as Python's phonenumbers
// 8.12.57 (Sydent's) produced them; a null msisdn means parse() raised.
type Row = [string, string, string | null, string?, string?];
const fromPython: Row[] = [
  ["123", "GB", "44123", "44", "+44 123"],
  ["07700 900461", "GB", "447700900461", "44", "+44 7700 900461"],
  ["+1 415 555 0132", "US", "14155550132", "1", "+1 415-555-0132"],
  ["+44 7700 900982", "gb", "447700900982", "44", "+44 7700 900982"],
  ["07700900461", "gb", null],
  ["1", "GB", null],
  ["12", "GB", "4412", "44", "+44 12"],
  ["abc", "GB", null],
  ["+1", "US", null],
  ["2025550101", "US", "12025550101", "1", "+1 202-555-0101"],
  ["  07700-900461 ", "GB", "447700900461", "44", "+44 7700 900461"],
  ["0044 7700 900461", "GB", "447700900461", "44", "+44 7700 900461"],
  ["1-800-FLOWERS", "US", "18003569377", "1", "+1 800-356-9377"],
  ["123456789012345678", "GB", null],
  ["+447700900461 ext. 123", "GB", "447700900461", "44", "+44 7700 900461 x123"],
  ["07700 900461", "XX", null],
  ["+999 123", "GB", null],
  [
    "\u0660\u0667\u0667\u0660\u0660\u0669\u0660\u0660\u0664\u0666\u0661",
    "GB",
    "447700900461",
    "44",
    "+44 7700 900461",
  ],
  ["tel:+44-7700-900461", "GB", "447700900461", "44", "+44 7700 900461"],
  ["+0 123", "GB", null],
  ["", "GB", null],
  ["0039 06 1234 5678", "GB", "390612345678", "39", "+39 06 1234 5678"],
  ["+800 1234 5678", "GB", "80012345678", "800", "+800 1234 5678"],
  ["07700 900461", "001", null],
  ["+33 6 12 34 56 78", "FR", "33612345678", "33", "+33 6 12 34 56 78"],
  ["612345678", "FR", "33612345678", "33", "+33 6 12 34 56 78"],
  ["+49 30 123456", "DE", "4930123456", "49", "+49 30 123456"],
  ["+81 3-1234-5678", "JP", "81312345678", "81", "+81 3-1234-5678"],
  ["+7 912 345-67-89", "RU", "79123456789", "7", "+7 912 345-67-89"],
  ["+61 412 345 678", "AU", "61412345678", "61", "+61 412 345 678"],
  ["+1 604 555 0101", "CA", "16045550101", "1", "+1 604-555-0101"],
  ["+86 138 0013 8000", "CN", "8613800138000", "86", "+86 138 0013 8000"],
  ["+91 98765 43210", "IN", "919876543210", "91", "+91 98765 43210"],
  ["+55 11 91234-5678", "BR", "5511912345678", "55", "+55 11 91234-5678"],
  ["+44 7700 900461 abc", "GB", "447700900461222", "44", "+44 7700900461222"],
  ["(202) 555-0101", "US", "12025550101", "1", "+1 202-555-0101"],
  ["+1 (202) 555-0101 x7", "US", "12025550101", "1", "+1 202-555-0101 ext. 7"],
  ["+882 3456 7890", "GB", "88234567890", "882", "+882 34567890"],
  ["+352 12 34 56", "LU", "352123456", "352", "+352 123456"],
];

test("numbers parse and format as Python's phonenumbers does", () => {
  for (const [number, country, msisdn, countryCode, intlFmt] of fromPython) {
    const what = `${JSON.stringify(number)} ${country}`;
    if (msisdn === null) {
      assert.throws(
        () => parsePhone(number, country),
        (e: unknown) => e instanceof MatrixError && e.errcode === "M_INVALID_PHONE_NUMBER",
        what,
      );
    } else {
      assert.deepEqual(parsePhone(number, country), { msisdn, countryCode, intlFmt }, what);
    }
  }
});

test("the error is 400 M_INVALID_PHONE_NUMBER with Sydent's message", () => {
  assert.throws(
    () => parsePhone("x", "GB"),
    (e: unknown) =>
      e instanceof MatrixError &&
      e.status === 400 &&
      JSON.stringify(e.toJSON()) === '{"errcode":"M_INVALID_PHONE_NUMBER","error":"Invalid phone number"}',
  );
});
