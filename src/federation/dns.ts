// The name resolution server discovery needs, behind one interface so tests can point any name at
// loopback: addresses (A/AAAA) and SRV records.
import { getServers, promises as dnsPromises } from "node:dns";
import type { Random } from "../crypto/random.js";
import { querySrv } from "./dns-srv.js";
import type { SrvAnswer } from "./dns-srv.js";

export type { SrvAnswer, SrvRecord } from "./dns-srv.js";

export interface Resolver {
  /**
   * Every address (IPv4 and IPv6 text) of a host name; [] when it has none. Throws an Error whose
   * `code` says why (e.g. EAI_AGAIN) for any other failure.
   */
  lookup(host: string): Promise<string[]>;
  /** The SRV records at `name`; none for NXDOMAIN or no data. Throws when DNS fails otherwise. */
  srv(name: string): Promise<SrvAnswer>;
}

const NO_SUCH_NAME = new Set(["ENOTFOUND", "ENODATA", "EAI_NONAME", "EAI_NODATA"]);

/** The machine's resolver: getaddrinfo (so /etc/hosts applies) and its DNS servers for SRV. */
export function systemResolver(random: Random): Resolver {
  return {
    async lookup(host) {
      try {
        const found = await dnsPromises.lookup(host, { all: true, verbatim: true });
        return found.map((entry) => entry.address);
      } catch (err) {
        if (NO_SUCH_NAME.has((err as NodeJS.ErrnoException).code ?? "")) return [];
        throw err;
      }
    },
    srv: (name) => querySrv(name, { servers: getServers(), random }),
  };
}
