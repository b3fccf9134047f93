import { Cause, Console, Context, Logger, LogLevel as Level, Option } from "effect"
import { Flag, GlobalFlag } from "effect/cli"

/**
 * `--log-level LEVEL`: effect/cli's flag, described for jsp. Its value reaches the commands as a
 * service, which the logger reads; without it, warnings and errors are shown.
 */
export const LogLevelFlag = GlobalFlag.Setting("log-level")({
  flag: GlobalFlag.LogLevel.flag.pipe(Flag.withDescription(
    "What reaches standard error besides a failure: warn (default) shows warnings, error or none silence them, info or debug add where the configuration is read from"))
})

const text = (message: unknown): string =>
  Array.isArray(message) ? message.map((part) => typeof part === "string" ? part : String(part)).join(" ") : String(message)

const prefix = (level: string): string => {
  switch (level) {
    case "Warn":
      return "warning"
    case "Error":
    case "Fatal":
      return "jsp"
    default:
      return level.toLowerCase()
  }
}

/**
 * What the CLI prints of the logs (warnings, a watch restarting, a configuration version
 * rejected, where the configuration is read from): `warning: …`, `jsp: …`, `info: …` and
 * `debug: …` lines on the Console's standard error, never on standard output. Which levels reach
 * it is the minimum log level: `warn` unless `--log-level` says otherwise.
 */
export const cliLogger = Logger.make<unknown, void>(({ logLevel, message, cause, fiber }) => {
  const minimum = Option.getOrElse(Option.flatten(Context.getOption(fiber.context, LogLevelFlag)), () => "Warn" as const)
  if (logLevel === "None" || minimum === "None" || !Level.isGreaterThanOrEqualTo(logLevel, minimum)) return
  const detail = cause.reasons.length === 0 ? "" : `: ${Cause.pretty(cause).split("\n")[0] ?? ""}`
  fiber.getRef(Console.Console).error(`${prefix(logLevel)}: ${text(message)}${detail}`)
})
