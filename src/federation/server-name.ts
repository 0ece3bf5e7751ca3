// Matrix server names (`host[:port]`): Sydent's is_valid_matrix_server_name, and the split into
// host and port that server discovery starts from.
import { isIPv4, isIPv6 } from "node:net";

export interface ServerName {
  /** As written: a hostname, a dotted IPv4 address, or `[IPv6]` with its brackets. */
  host: string;
  port: number | null;
}

const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`, "i");

/**
 * Splits a server name as Sydent does: a name ending in `]` is all host (an IPv6 literal without
 * a port); otherwise the port is what follows the last `:`, and must be the canonical decimal
 * form of 1..65535. Null when the port is malformed. The host is not checked here.
 */
export function splitServerName(name: string): ServerName | null {
  if (name.endsWith("]")) return { host: name, port: null };
  const colon = name.lastIndexOf(":");
  if (colon === -1) return { host: name, port: null };
  const portText = name.slice(colon + 1);
  const port = Number(portText);
  if (!/^[1-9][0-9]{0,4}$/.test(portText) || port > 65535) return null;
  return { host: name.slice(0, colon), port };
}

/** The parsed name when it is a valid Matrix server name (IPv4, `[IPv6]` or hostname, optional port). */
export function parseServerName(name: string): ServerName | null {
  const parsed = splitServerName(name);
  if (parsed === null) return null;
  const { host } = parsed;
  const valid =
    isIPv4(host) ||
    (host.startsWith("[") && host.endsWith("]") && isIPv6(host.slice(1, -1))) ||
    HOSTNAME.test(host);
  return valid ? parsed : null;
}

/** Sydent's `is_valid_matrix_server_name`, without its tolerance of a trailing newline. */
export function isValidServerName(name: string): boolean {
  return parseServerName(name) !== null;
}

/** The IP address a server name's host stands for (brackets removed), or null for a hostname. */
export function ipLiteral(host: string): string | null {
  if (isIPv4(host)) return host;
  if (host.startsWith("[") && host.endsWith("]") && isIPv6(host.slice(1, -1))) return host.slice(1, -1);
  return null;
}
