import { PricestreamError } from '../errors';

/** Bad configuration or CLI input: names the field and says what is wrong. Thrown at start-up, before work. */
export class ConfigError extends PricestreamError {
  readonly field: string;

  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.field = field;
  }
}
