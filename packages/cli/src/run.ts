import { Cause, Console, Effect, Logger } from "effect"
import { CliError, Command } from "effect/cli"
import { jsp } from "./commands.ts"
import { CliFailure, ExitCode } from "./failure.ts"
import { cliLogger } from "./logger.ts"

/** The version `jsp --version` prints. */
export const version = "0.1.0"

const describe = (failure: unknown): { readonly lines: ReadonlyArray<string>; readonly code: number } => {
  if (failure instanceof CliFailure) return { lines: [failure.text], code: failure.code }
  if (failure instanceof CliError.ShowHelp) {
    const help = `see '${failure.commandPath.join(" ")} --help'`
    return failure.errors.length === 0
      ? { lines: [], code: 0 }
      : { lines: failure.errors.map((e) => `${e.message} (${help})`), code: ExitCode.usage }
  }
  if (failure instanceof Error) return { lines: [failure.message], code: ExitCode.usage }
  return { lines: [String(failure)], code: ExitCode.usage }
}

/**
 * Runs `jsp` with these arguments and returns its exit code: the result on standard output,
 * warnings and one line per failure (`jsp: …`) on standard error, the cause only with `--verbose`.
 */
export const runJsp = (args: ReadonlyArray<string>) => {
  const verbose = args.includes("--verbose")
  return Command.runWith(jsp, { version, renderErrors: false })(args).pipe(
    Effect.as(0),
    Effect.catchCause((cause) => {
      const failure = cause.reasons.find(Cause.isFailReason)
      const { lines, code } = failure === undefined
        ? { lines: [`internal error: ${Cause.pretty(cause).split("\n")[0] ?? "unknown"} (run with --verbose for details)`], code: 70 }
        : describe(failure.error)
      return Effect.gen(function*() {
        for (const line of lines) yield* Console.error(`jsp: ${line}`)
        if (verbose) yield* Console.error(Cause.pretty(cause))
        return code
      })
    }),
    Effect.provide(Logger.layer([cliLogger]))
  )
}
