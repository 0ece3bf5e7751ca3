// The parts of fixtures/sydent/golden.json (vectors computed by Sydent's own code) that tests read.
// JSON.parse is fine for all of it except canonical_json's big integer, which tests take from
// `input_json_ascii` themselves.
import { readFixtureJson } from "./fixtures.js";

export interface Text {
  utf8: string;
  hex: string;
}

export interface Golden {
  signing_key: {
    config_value: string;
    seed_hex: string;
    seed_base64_unpadded: string;
    version: string;
    key_id: string;
    public_key_base64_unpadded: string;
    public_key_hex: string;
    server_name: string;
  };
  pubkey_responses: Record<string, { status: number; body: Text }>;
  signed_associations: {
    items: {
      input: Record<string, unknown>;
      canonical_json_signed: Text;
      signature: string;
      signed_association: Record<string, unknown>;
      as_http_json_body: Text;
      as_stored_sgAssoc: string;
    }[];
  };
  lookup_hashes: {
    items: {
      address: string;
      medium: string;
      pepper: string;
      hashed_string: Text;
      lookup_hash: string;
      stored_address_after_normalise_address: string;
      lookup_hash_as_stored_by_addBinding: string;
    }[];
  };
  casefold: {
    unicode_version: string;
    items: { input: string; output: string; output_utf8_hex: string; equals_python_lower: boolean }[];
  };
  canonical_json: { items: { note: string; input_json_ascii: string; canonical: Text }[] };
  x_matrix: {
    homeserver: { server_name: string; key_id: string; seed_hex: string; public_key_base64_unpadded: string };
    request: { method: string; uri: string; destination_is: string; body: Text; content: unknown };
    canonical_json_signed: Text;
    signature: string;
    authorization_header: string;
    tampered_header: string;
    sydent_response_tampered: { status: number; body: Text };
  };
  sign_ed25519: {
    ephemeral_key: {
      seed_hex: string;
      private_key_param_urlsafe_base64: string;
      public_key_urlsafe_base64: string;
    };
    invite_token_row: { medium: string; address: string; room_id: string; sender: string; token: string };
    request_body: { private_key: string; token: string; mxid: string };
    canonical_json_signed: Text;
    response: { status: number; body: Text };
  };
  mxid_signed: {
    input: { mxid: string; token: string };
    bind_call: { medium: string; address: string; mxid: string };
    canonical_json_signed: Text;
    signed: Record<string, unknown>;
    signed_association_returned_by_addBinding: Record<string, unknown>;
    as_http_json_body: Text;
  };
}

export const golden = readFixtureJson("golden.json") as Golden;
