// The lookup pepper: created on first start as Sydent does (5 characters of [0-9a-zA-Z]) with every
// stored association re-hashed under it, then read once and held in memory.
import { lookupHash } from "../crypto/lookup-hash.js";
import { ALPHANUMERIC, type Random } from "../crypto/random.js";
import type { HashingStore } from "../store/store.js";

export const PEPPER_LENGTH = 5;

export async function loadOrCreatePepper(hashing: HashingStore, random: Random): Promise<string> {
  const existing = await hashing.getPepper();
  if (existing !== undefined) return existing;
  const pepper = random.string(PEPPER_LENGTH, ALPHANUMERIC);
  await hashing.setPepperAndRehash(pepper, lookupHash);
  return pepper;
}
