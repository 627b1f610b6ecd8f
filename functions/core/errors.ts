/** An expected failure (bad input, bad configuration): the CLI prints its message alone, without a stack. */
export class UserError extends Error {
  readonly userFacing = true;
}
