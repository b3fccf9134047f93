import { Data, Effect } from "effect"

/** Exit codes of `jsp`: what a script can tell apart. */
export const ExitCode = {
  /** The input is wrong: invalid configuration or pod, unknown size, request above limit. */
  invalid: 1,
  /** The command line is wrong. */
  usage: 2,
  /** A file, directory or cluster could not be read. */
  unavailable: 3
} as const

/** A failure the CLI reports as a message and an exit code. */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly text: string
  readonly code: number
  readonly cause?: unknown
}> {
  override get message(): string {
    return this.text
  }
}

/** A wrong command line: the message, exit code 2. */
export const usageError = (text: string): Effect.Effect<never, CliFailure> => Effect.fail(new CliFailure({ text, code: ExitCode.usage }))
