/** Base of the producer's errors: sets `name` and keeps a `cause`. */
export class ProducerError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A line of NDJSON input that is not a valid event; names the line and the field. */
export class InvalidEventError extends ProducerError {
  readonly line: number;
  readonly field: string;

  constructor(line: number, field: string, reason: string) {
    super(`line ${line}: ${field}: ${reason}`);
    this.line = line;
    this.field = field;
  }
}
