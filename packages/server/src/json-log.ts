import { Cause, Logger, References } from "effect"

const text = (message: unknown): string =>
  Array.isArray(message) ? message.map((part) => typeof part === "string" ? part : JSON.stringify(part)).join(" ") : String(message)

/**
 * The server's logs: one JSON object per line (`time`, `level`, `msg`, then the log's
 * annotations), so that a cluster's log collector reads fields, not prose. Request logs carry
 * uid, user, namespace, latency and outcome as annotations; values of env vars and secrets are
 * never annotated.
 */
export const jsonLinesLogger = (write: (line: string) => void) =>
  Logger.make<unknown, void>(({ logLevel, message, cause, fiber, date }) => {
    const annotations = fiber.getRef(References.CurrentLogAnnotations)
    const error = cause.reasons.length === 0 ? {} : { error: Cause.pretty(cause).split("\n")[0] ?? "" }
    write(`${JSON.stringify({ time: date.toISOString(), level: logLevel.toLowerCase(), msg: text(message), ...annotations, ...error })}\n`)
  })

/**
 * Lines handed to `write` together, once per turn of the event loop: under load one write (a
 * system call, synchronous for pipes on Linux) serves many requests' lines instead of one each.
 * What is pending is written before the process exits.
 */
export const batchedLines = (write: (text: string) => void): ((line: string) => void) => {
  let pending: Array<string> = []
  const flush = () => {
    if (pending.length === 0) return
    const text = pending.join("")
    pending = []
    write(text)
  }
  process.on("exit", flush)
  return (line) => {
    if (pending.length === 0) setImmediate(flush)
    pending.push(line)
  }
}
