/** The one error type leakwatch throws on purpose. Entries print `message` and `hint`; anything else is a bug. */
export class LeakwatchError extends Error {
  readonly code: string;
  readonly hint?: string;

  constructor(code: string, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'LeakwatchError';
    this.code = code;
    this.hint = options.hint;
  }
}
