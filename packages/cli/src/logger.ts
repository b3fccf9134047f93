import { Cause, Console, Logger } from "effect"

const text = (message: unknown): string =>
  Array.isArray(message) ? message.map((part) => typeof part === "string" ? part : String(part)).join(" ") : String(message)

/**
 * What the CLI prints of the logs below it (a watch restarting, a configuration version
 * rejected): warnings and errors as `warning: …` and `jsp: …` lines on the Console's standard
 * error, never on standard output. Informational logs are not shown.
 */
export const cliLogger = Logger.make<unknown, void>(({ logLevel, message, cause, fiber }) => {
  if (logLevel !== "Warn" && logLevel !== "Error" && logLevel !== "Fatal") return
  const detail = cause.reasons.length === 0 ? "" : `: ${Cause.pretty(cause).split("\n")[0] ?? ""}`
  fiber.getRef(Console.Console).error(`${logLevel === "Warn" ? "warning" : "jsp"}: ${text(message)}${detail}`)
})
