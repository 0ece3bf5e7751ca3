// Time is passed in: domain code asks a Clock, never Date.now(), so tests can pin "now".

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still at `ms` until moved; for tests and replay tools. */
export function fixedClock(ms: number): Clock & { set(ms: number): void; advance(ms: number): void } {
  let current = ms;
  return {
    now: () => current,
    set: (to) => {
      current = to;
    },
    advance: (by) => {
      current += by;
    },
  };
}
