import { Cause, Console, Logger } from "effect"

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
  if (logLevel === "None") return
  const detail = cause.reasons.length === 0 ? "" : `: ${Cause.pretty(cause).split("\n")[0] ?? ""}`
  fiber.getRef(Console.Console).error(`${prefix(logLevel)}: ${text(message)}${detail}`)
})
