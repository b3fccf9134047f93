import type { SpawnError } from "@jsp/core"
import { Effect } from "effect"
import { CliFailure, ExitCode } from "./failure.ts"

/** Turns every core error into a message a person can act on, with the CLI's exit code. */
export const reportErrors = <A, E extends SpawnError | CliFailure, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, CliFailure, R> =>
  Effect.mapError(self, (error): CliFailure => {
    switch (error._tag) {
      case "CliFailure":
        return error
      case "SourceUnavailable":
        return new CliFailure({ text: error.message, code: ExitCode.unavailable, cause: error })
      default:
        return new CliFailure({ text: error.message, code: ExitCode.invalid, cause: error })
    }
  })
