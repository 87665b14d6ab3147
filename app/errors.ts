/** Base of pricestream's errors: its `name` is the class's, and a `cause` passed in is kept. */
export class PricestreamError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
