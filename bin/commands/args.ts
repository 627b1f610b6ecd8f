import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UserError } from '../../functions/core/errors.ts';

/**
 * A command's arguments, or null once `--help` has printed `help` (the command then exits 0). A bad option
 * is a UserError followed by the help.
 */
export function commandArgs<T extends ParseArgsConfig>(argv: string[], help: string, config: T) {
  let parsed;
  try {
    parsed = parseArgs<T>({ ...config, args: argv });
  } catch (err) {
    throw new UserError(`${(err as Error).message}\n\n${help}`);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(help);
    return null;
  }
  return parsed;
}
