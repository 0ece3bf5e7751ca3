// Health checks for load balancers and orchestrators: liveness (the process answers) and
// readiness (the database answers; migrations ran before the listener opened).
import Type from "typebox";
import { MatrixError } from "../../errors.js";
import type { Route } from "../route.js";

/** A database that does not answer within this long counts as unreachable (a probe must not hang). */
export const READY_TIMEOUT_MS = 2000;

export function healthRoutes(route: Route, deps: { ping(): Promise<void> }): void {
  route({ method: "GET", path: "/_cairn/health", args: Type.Object({}), handler: () => ({ status: "ok" }) });
  route({
    method: "GET",
    path: "/_cairn/ready",
    args: Type.Object({}),
    handler: async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), READY_TIMEOUT_MS);
      });
      try {
        const outcome = await Promise.race([deps.ping().then(() => "ok" as const), timeout]);
        if (outcome === "timeout") {
          throw new MatrixError("M_UNKNOWN", `The database did not answer within ${READY_TIMEOUT_MS} ms`, {
            status: 503,
          });
        }
      } catch (err) {
        if (err instanceof MatrixError) throw err;
        throw new MatrixError("M_UNKNOWN", "The database is not reachable", { status: 503 });
      } finally {
        clearTimeout(timer);
      }
      return { status: "ready" };
    },
  });
}
