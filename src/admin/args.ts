// Argument reading shared by the `cairn` admin commands.

/** The operator's mistake on the command line: the command prints it with its usage, exit status 2. */
export class UsageError extends Error {}

/** Removes `name VALUE` from `args` and returns VALUE (undefined when `name` is absent). */
export function takeOption(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return value;
}
