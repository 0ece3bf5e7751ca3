// Phone numbers as Sydent reads them with Python's `phonenumbers.parse(phone_number, country)`:
// `country` is the region for numbers without `+` and must then be an upper-case region code;
// only parsability is checked, not validity (`123` in GB is `44123`). The international format
// is Google's (with the dashes of `+1 202-555-0101`), which libphonenumber-js replaces by spaces,
// so it is applied here from the same metadata.
import { isSupportedCountry, parsePhoneNumberWithError, type PhoneNumber } from "libphonenumber-js/max";
import metadata from "libphonenumber-js/metadata.max.json";
import { MatrixError } from "../errors.js";

export interface ParsedPhone {
  /** E.164 digits without `+`. */
  msisdn: string;
  /** Country calling code, e.g. `44`. */
  countryCode: string;
  /** Google's INTERNATIONAL format, e.g. `+44 7700 900461`. */
  intlFmt: string;
}

export const invalidPhoneNumber = (): MatrixError =>
  new MatrixError("M_INVALID_PHONE_NUMBER", "Invalid phone number");

// The phone keypad, for numbers written with letters (`1-800-FLOWERS`).
const KEYPAD: Record<string, string> = {};
for (const [digit, letters] of Object.entries({
  2: "ABC",
  3: "DEF",
  4: "GHI",
  5: "JKL",
  6: "MNO",
  7: "PQRS",
  8: "TUV",
  9: "WXYZ",
})) {
  for (const letter of letters) KEYPAD[letter] = KEYPAD[letter.toLowerCase()] = digit;
}

function parse(text: string, country: string | undefined): PhoneNumber {
  try {
    return parsePhoneNumberWithError(text, country && isSupportedCountry(country) ? country : undefined);
  } catch {
    throw invalidPhoneNumber();
  }
}

/** Parses as Python's phonenumbers does; throws 400 `M_INVALID_PHONE_NUMBER`. */
export function parsePhone(phoneNumber: string, country: string): ParsedPhone {
  let phone = parse(phoneNumber, country);
  // Python spells out letters when the number (without extension) has three or more of them;
  // libphonenumber-js stops reading at the first letter.
  const start = phoneNumber.search(/[+\uff0b\p{Nd}]/u);
  const rest = start < 0 ? "" : phoneNumber.slice(start);
  if (phone.ext === undefined && (rest.match(/[A-Za-z]/g) ?? []).length >= 3) {
    phone = parse(
      rest.replace(/[A-Za-z]/g, (letter) => KEYPAD[letter] ?? letter),
      country,
    );
  }
  const countryCode = phone.countryCallingCode;
  const base = phone.format("INTERNATIONAL", { formatExtension: (formatted) => formatted });
  const extension = phone.formatInternational().slice(base.length);
  return {
    msisdn: phone.number.slice(1),
    countryCode,
    intlFmt: `+${countryCode} ${formatNational(phone.nationalNumber, countryCode)}${extension}`,
  };
}

interface NumberFormat {
  pattern: string;
  format: string;
  leadingDigits: string[];
  international: string | undefined;
}

// libphonenumber-js metadata v4: a plan's formats are at index 4, each
// [pattern, format, leading digits patterns, national prefix rule, optional, international format].
function formatsFor(callingCode: string): NumberFormat[] {
  const region = metadata.country_calling_codes[callingCode]?.[0];
  const plan: unknown[] | undefined = region
    ? metadata.countries[region]
    : metadata.nonGeographic[callingCode];
  const formats = plan?.[4];
  if (!Array.isArray(formats)) return [];
  return formats.map((entry: unknown[]) => ({
    pattern: String(entry[0]),
    format: String(entry[1]),
    leadingDigits: Array.isArray(entry[2]) ? entry[2].map(String) : [],
    international: typeof entry[5] === "string" ? entry[5] : undefined,
  }));
}

/** The national significant number grouped by the first matching format, as Google formats it. */
function formatNational(national: string, callingCode: string): string {
  for (const f of formatsFor(callingCode)) {
    const leading = f.leadingDigits[f.leadingDigits.length - 1];
    if (leading !== undefined && national.search(new RegExp(leading)) !== 0) continue;
    if (!new RegExp(`^(?:${f.pattern})$`).test(national)) continue;
    return national.replace(new RegExp(f.pattern), f.international ?? f.format);
  }
  return national;
}
