import { formatWarning, type JspError, outcomeOf, type Warning } from "@jsp/core"
import { Effect } from "effect"

/** An answer, before it is written: the status, the body and any headers. */
export type Reply =
  | { readonly status: number; readonly json: unknown; readonly headers?: Readonly<Record<string, string | ReadonlyArray<string>>> }
  | { readonly status: number; readonly html: string }
  | { readonly status: number; readonly text: string; readonly type?: string }

/** A JSON answer. */
export const json = (status: number, body: unknown, headers?: Readonly<Record<string, string | ReadonlyArray<string>>>): Reply =>
  headers === undefined ? { status, json: body } : { status, json: body, headers }

/** An error as JSON (`{"error": …}`), with the status core's one classification gives it. */
export const errorReply = (error: JspError): Reply => {
  const outcome = outcomeOf(error)
  return json(outcome.httpStatus, { error: error.message, kind: outcome.kind })
}

/** A use case's answer, its errors answered as `errorReply` says: an endpoint never fails. */
export const replyingErrors = <R>(effect: Effect.Effect<Reply, JspError, R>): Effect.Effect<Reply, never, R> =>
  Effect.catch(effect, (error) => Effect.succeed(errorReply(error)))

/** A request that is wrong before any use case runs: 400, 404, 405, 413, 422. */
export const problem = (status: number, message: string): Reply => json(status, { error: message })

// Header values are Latin-1: anything else is escaped the way JSON escapes it.
const headerSafe = (text: string): string => JSON.stringify(text).replace(/[^\x20-\x7e]/gu, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/**
 * Warnings of an answer whose body is a document of its own (`/api/pods/apply` returns the pod):
 * `Warning: 299 jsp "<text>"` headers, as the Kubernetes API server sends its warnings.
 */
export const warningHeaders = (warnings: ReadonlyArray<Warning>): Readonly<Record<string, ReadonlyArray<string>>> =>
  warnings.length === 0 ? {} : { warning: warnings.map((w) => `299 jsp ${headerSafe(formatWarning(w))}`) }
