/**
 * Input the core cannot use: a threshold, a --fail-on condition. The core knows nothing of exit
 * codes; the command layer (src/command-errors.ts) reports it as a usage error, exit 2.
 */
export class InvalidInput extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'InvalidInput'
  }
}
