import { Cause, Console, Effect, Logger, References } from "effect"
import { CliConfig, CliError, CliOutput, Command, GlobalFlag } from "effect/cli"
import { jsp } from "./commands.ts"
import { CliFailure, ExitCode } from "./failure.ts"
import { cliLogger, LogLevelFlag } from "./logger.ts"

/** The version `jsp --version` prints. */
export const version = "0.1.0"

/**
 * The global flags jsp offers: `--help`, `--version`, `--completions SHELL` (a completion script)
 * and `--log-level LEVEL` (what reaches standard error besides the error itself). effect/cli's
 * `--wizard` is not offered: it is interactive, and jsp is run by scripts and pipelines.
 */
const builtIns = [GlobalFlag.Help, GlobalFlag.Version, GlobalFlag.Completions, LogLevelFlag] as const

/**
 * Help asked for (`--help`) and `--version` go to standard output; nothing else does: effect/cli
 * would print the whole help on standard output for a usage error, and so into
 * `jsp apply … | kubectl apply -f -`. `runJsp` writes the few lines of a usage error itself.
 */
const presenter: CliOutput.Presenter = {
  present: (event) =>
    event._tag === "InvalidInvocation" || (event._tag === "Help" && event.reason === "Implicit")
      ? Effect.void
      : CliOutput.defaultPresenter.present(event)
}

/** The command the path names in the tree (`["jsp", "user-settings"]`). */
const commandAt = (path: ReadonlyArray<string>): Command.Command.Any => {
  let command: Command.Command.Any = jsp
  for (const name of path.slice(1)) {
    const next = command.subcommands.flatMap((group) => group.commands).find((c) => c.name === name)
    if (next === undefined) break
    command = next
  }
  return command
}

const subcommandNames = (command: Command.Command.Any): ReadonlyArray<string> =>
  command.subcommands.flatMap((group) => group.commands).filter((c) => !c.unlisted).map((c) => c.name)

const didYouMean = (suggestions: ReadonlyArray<string>): ReadonlyArray<string> =>
  suggestions.length === 0
    ? []
    : [`did you mean ${suggestions.length === 1 ? suggestions[0] : `${suggestions.slice(0, -1).join(", ")} or ${suggestions.at(-1)}`}?`]

/** One parse error as a line, and a suggestion where effect/cli has one. */
const usageLines = (error: CliError.NonShowHelpErrors): ReadonlyArray<string> => {
  switch (error._tag) {
    case "UnrecognizedOption":
      return [`unknown flag ${error.option}${error.command === undefined ? "" : ` for '${error.command.join(" ")}'`}`, ...didYouMean(error.suggestions)]
    case "UnknownSubcommand":
      return [`unknown command '${error.subcommand}'${error.parent === undefined ? "" : ` for '${error.parent.join(" ")}'`}`, ...didYouMean(error.suggestions)]
    default:
      return [error.message]
  }
}

/** A usage error: what is wrong, a suggestion where there is one, where to find help; nothing on standard output. */
const usage = (failure: CliError.ShowHelp): ReadonlyArray<string> => {
  const path = failure.commandPath.join(" ")
  const help = `see '${path} --help'`
  if (failure.errors.length > 0) return [...failure.errors.flatMap(usageLines), help]
  // A command that only groups others (`jsp`, `jsp user-settings`) run alone.
  const names = subcommandNames(commandAt(failure.commandPath))
  return [`missing command: usage: ${path} COMMAND [flags], where COMMAND is one of ${names.join(", ")}`, help]
}

const describe = (failure: unknown): { readonly lines: ReadonlyArray<string>; readonly code: number } => {
  if (failure instanceof CliFailure) return { lines: [failure.text], code: failure.code }
  if (failure instanceof CliError.ShowHelp) return { lines: usage(failure), code: ExitCode.usage }
  if (failure instanceof Error) return { lines: [failure.message], code: ExitCode.usage }
  return { lines: [String(failure)], code: ExitCode.usage }
}

/**
 * Runs `jsp` with these arguments and returns its exit code: the result on standard output,
 * warnings and one line per failure (`jsp: …`) on standard error, the cause only with `--verbose`.
 * Logs below `--log-level` (default warn) are not shown.
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
    Effect.provideService(CliOutput.Presenter, presenter),
    Effect.provideService(CliConfig.CliConfig, CliConfig.make({ builtIns })),
    // The logger filters by --log-level itself (LogLevelFlag): every level reaches it.
    Effect.provideService(References.MinimumLogLevel, "All"),
    Effect.provide(Logger.layer([cliLogger]))
  )
}
