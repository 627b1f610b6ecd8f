import { readFileSync } from 'node:fs';

/** An expected failure (bad input, bad configuration): the CLI prints its message alone, without a stack. */
export class UserError extends Error {
  readonly userFacing = true;
}

/** A page cursor that this store did not hand out (garbled, or from another listing): the API answers 400. */
export class InvalidCursorError extends UserError {
  readonly code = 'invalid_cursor';
  constructor(message = 'the cursor is not valid: pass back the `next` value of the previous page') {
    super(message);
    this.name = 'InvalidCursorError';
  }
}

/** Reads and parses a JSON file (a taxonomy, rules); either failing is thrown as `Err`, naming the file. */
export function readJsonFile(file: string | URL, what: string, Err: new (message: string) => UserError): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Err(`cannot read ${what} ${String(file)}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Err(`${String(file)} is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Raised by an adapter when something it depends on (the store, the encoder endpoint, the LLM) cannot be
 * reached right now. The API answers 503 with Retry-After; queue consumers retry later.
 */
export class UnavailableError extends Error {
  readonly code = 'unavailable';
  constructor(
    /** What is down, in words: "result store", "encoder". */
    readonly dependency: string,
    message: string,
    /** Seconds after which a retry makes sense. */
    readonly retryAfterSeconds = 5,
  ) {
    super(message);
    this.name = 'UnavailableError';
  }
}
