// Lookups over HTTP: the legacy v1 `lookup` and `bulk_lookup` (unauthenticated, v1 tree only) and
// the v2 hashed lookup with its `hash_details` (bearer token and accepted terms).
import Type from "typebox";
import { invalidParam } from "../../errors.js";
import type { LookupDeps } from "../../domain/lookup.js";
import { bulkLookup, hashDetails, hashedLookup, lookupThreepid } from "../../domain/lookup.js";
import type { Threepid } from "../../store/store.js";
import type { Route } from "../route.js";

/** A `[medium, address]` pair of strings; Sydent answered anything else with a 500. */
function toThreepid(pair: unknown): Threepid {
  if (Array.isArray(pair) && pair.length === 2) {
    const [medium, address] = pair as unknown[];
    if (typeof medium === "string" && typeof address === "string") return { medium, address };
  }
  throw invalidParam("threepids must be a list of [medium, address] pairs");
}

export function lookupRoutes(route: Route, deps: LookupDeps): void {
  route({
    method: "GET",
    path: "/lookup",
    versions: ["v1"],
    args: Type.Object({ medium: Type.String(), address: Type.String() }),
    handler: ({ args }) => lookupThreepid(deps, { medium: args.medium, address: args.address }),
  });
  route({
    method: "POST",
    path: "/bulk_lookup",
    versions: ["v1"],
    args: Type.Object({
      threepids: Type.Array(Type.Unknown(), { errorMessage: "threepids must be a list" }),
    }),
    handler: async ({ args }) => ({ threepids: await bulkLookup(deps, args.threepids.map(toThreepid)) }),
  });
  route({
    method: "GET",
    path: "/hash_details",
    versions: ["v2"],
    auth: "terms",
    args: Type.Object({}),
    handler: () => hashDetails(deps.pepper),
  });
  route({
    method: "POST",
    path: "/lookup",
    versions: ["v2"],
    auth: "terms",
    // algorithm and pepper are checked by the domain, after addresses, in Sydent's order.
    args: Type.Object({
      addresses: Type.Array(Type.Unknown(), { errorMessage: "addresses must be a list" }),
      algorithm: Type.Unknown(),
      pepper: Type.Unknown(),
    }),
    handler: async ({ args }) => ({ mappings: await hashedLookup(deps, args) }),
  });
}
