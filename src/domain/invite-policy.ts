// Which invitations an operator refuses (behaviour §6.1 steps 4 and 12, §9.6.6): rooms and sender
// homeservers on a block-list, and keywords found in any argument. Every list comes from
// `[email] email.third_party_invite_*_blocklist`, one entry per line.
import type { Config } from "../config/types.js";
import { casefold } from "../crypto/casefold.js";
import { invalidParam, MatrixError } from "../errors.js";

export const inviteNotAllowed = (): MatrixError =>
  new MatrixError("M_UNAUTHORIZED", "Invite not allowed", { status: 403 });

type Lists = Pick<Config["email"], "roomBlocklist" | "homeserverBlocklist" | "keywordBlocklist">;

/** The room and the sender's homeserver (after the sender's first `:`) must not be blocked. */
export function checkRoomAndServer(lists: Lists, roomId: string, sender: string): void {
  const colon = sender.indexOf(":");
  // Sydent answered 500 for a sender without a server part.
  if (colon < 0) throw invalidParam("sender must be a Matrix user ID (@user:server)");
  if (lists.roomBlocklist.includes(roomId) || lists.homeserverBlocklist.includes(sender.slice(colon + 1))) {
    throw inviteNotAllowed();
  }
}

/** No configured keyword may occur in any (case-folded) string argument. */
export function checkKeywords(lists: Lists, args: Readonly<Record<string, unknown>>): void {
  const keywords = lists.keywordBlocklist;
  if (keywords.length === 0) return;
  for (const [name, value] of Object.entries(args)) {
    // Non-strings never reach the email (Sydent answered 500 for them once keywords were set).
    if (typeof value !== "string") continue;
    // The web client's own address is not scanned for `http`-like keywords (sydent#540).
    const text = name === "org.matrix.web_client_location" ? value.replace(/^https?:\/\//, "") : value;
    const folded = casefold(text);
    if (keywords.some((keyword) => folded.includes(keyword))) throw inviteNotAllowed();
  }
}
