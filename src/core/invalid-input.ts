/**
 * Input the core cannot use (a threshold, a --fail-on condition): the message says what is wrong
 * and what would do. The core knows nothing of exit codes; the command layer maps this to usage (2).
 */
export class InvalidInput extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidInput'
  }
}
