// `GET /_matrix/identity/versions` and the status ("ping") endpoints `GET /_matrix/identity/v2`
// and `GET /_matrix/identity/api/v1`, which clients use to check that a URL is an identity server.
import Type from "typebox";
import type { Route } from "../route.js";

/** The spec versions Cairn conforms to, as Sydent lists them. */
export const SUPPORTED_VERSIONS = [
  "r0.1.0",
  "r0.2.0",
  "r0.2.1",
  "r0.3.0",
  "v1.1",
  "v1.2",
  "v1.3",
  "v1.4",
  "v1.5",
];

export function versionRoutes(route: Route): void {
  route({
    method: "GET",
    path: "/_matrix/identity/versions",
    args: Type.Object({}),
    handler: () => ({ versions: SUPPORTED_VERSIONS }),
  });
  route({ method: "GET", path: "", versions: ["v1", "v2"], args: Type.Object({}), handler: () => ({}) });
}
