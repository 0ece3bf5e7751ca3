// Health checks for load balancers and orchestrators: liveness (the process answers) and
// readiness (the database answers; migrations ran before the listener opened).
import Type from "typebox";
import { MatrixError } from "../../errors.js";
import type { Route } from "../route.js";

export function healthRoutes(route: Route, deps: { ping(): Promise<void> }): void {
  route({ method: "GET", path: "/_cairn/health", args: Type.Object({}), handler: () => ({ status: "ok" }) });
  route({
    method: "GET",
    path: "/_cairn/ready",
    args: Type.Object({}),
    handler: async () => {
      try {
        await deps.ping();
      } catch {
        throw new MatrixError("M_UNKNOWN", "The database is not reachable", { status: 503 });
      }
      return { status: "ready" };
    },
  });
}
