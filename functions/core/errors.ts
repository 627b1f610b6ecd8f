/** An expected failure (bad input, bad configuration): the CLI prints its message alone, without a stack. */
export class UserError extends Error {
  readonly userFacing = true;
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
