// An Authenticator for tests of v2 routes: one known token, everything else refused as the real
// one refuses it (401 M_UNAUTHORIZED).
import { MatrixError } from "../src/errors.js";
import type { Authenticator } from "../src/http/auth.js";
import { registerSecrets } from "./log-secrets.js";

export const TEST_TOKEN = "test-access-token";
export const TEST_USER = "@tester:example.org";
registerSecrets(TEST_TOKEN);

export const acceptTestToken: Authenticator = {
  authenticate: async (token) => {
    if (token === TEST_TOKEN) return TEST_USER;
    throw new MatrixError("M_UNAUTHORIZED", "Unauthorized");
  },
};

export const bearer = { authorization: `Bearer ${TEST_TOKEN}` };
