import { PricestreamError } from '../errors';

/** A line of NDJSON input that is not a valid event; names the line and the field. */
export class InvalidEventError extends PricestreamError {
  readonly line: number;
  readonly field: string;

  constructor(line: number, field: string, reason: string) {
    super(`line ${line}: ${field}: ${reason}`);
    this.line = line;
    this.field = field;
  }
}
