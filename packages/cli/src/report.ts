import { formatWarning, type JspError, outcomeOf, type Warning } from "@jsp/core"
import { Effect } from "effect"
import { CliFailure } from "./failure.ts"

/** Turns every core error into a message a person can act on, with the exit code core's classification gives it. */
export const reportErrors = <A, E extends JspError | CliFailure, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, CliFailure, R> =>
  Effect.mapError(self, (error): CliFailure =>
    error._tag === "CliFailure" ? error : new CliFailure({ text: error.message, code: outcomeOf(error).exitCode, cause: error }))

/**
 * Warnings as `warning: …` lines on standard error (standard output carries only the result),
 * through the logger: `--log-level error` silences them.
 */
export const printWarnings = (warnings: ReadonlyArray<Warning>) =>
  Effect.forEach(warnings, (w) => Effect.logWarning(formatWarning(w)), { discard: true })
