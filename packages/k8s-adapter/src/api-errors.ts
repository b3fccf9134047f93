import { ApiException } from "@kubernetes/client-node"
import { SourceUnavailable, type UnavailableReason } from "@jsp/core"
import { Duration, Effect, Schedule } from "effect"

/** What a request was doing, so that a failure can say what is missing (RBAC verb and resource). */
export interface RequestContext {
  readonly verb: string
  readonly resource: string
  readonly namespace: string
  readonly server: string
  readonly name?: string
  /** How long the request may take. */
  readonly timeoutMs?: number
}

/** The context of a request in the cluster's namespace. */
export const requestContext = (
  cluster: { readonly namespace: string; readonly server: string; readonly requestTimeoutMs: number },
  verb: string,
  resource: string,
  name?: string
): RequestContext => ({ verb, resource, namespace: cluster.namespace, server: cluster.server, timeoutMs: cluster.requestTimeoutMs, ...(name === undefined ? {} : { name }) })

const statusOf = (error: unknown): number | undefined => {
  if (error instanceof ApiException) return error.code
  if (typeof error === "object" && error !== null) {
    const code = Reflect.get(error, "statusCode") ?? Reflect.get(error, "code")
    if (typeof code === "number") return code
  }
  return undefined
}

const messageOf = (error: unknown): string | undefined => {
  if (!(error instanceof ApiException) || typeof error.body !== "string") return undefined
  try {
    const body: unknown = JSON.parse(error.body)
    return typeof body === "object" && body !== null && typeof Reflect.get(body, "message") === "string" ? String(Reflect.get(body, "message")) : undefined
  } catch {
    return undefined
  }
}

const causeText = (error: unknown): string => {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : ""
  return error instanceof Error ? `${error.message}${cause}` : String(error)
}

/** The API server answered, but busy or broken: worth another try for a read. */
export const isRetryable = (error: unknown): boolean => {
  const status = statusOf(error)
  if (status === 429 || (status !== undefined && status >= 500)) return true
  return status === undefined && !(error instanceof ApiException)
}

/** A failed request as an error a person can act on: unreachable server, credentials, the missing RBAC permission, a timeout. */
export const describeApiError = (error: unknown, context: RequestContext): SourceUnavailable => {
  const source = `cluster ${context.server} namespace ${context.namespace}`
  const what = `${context.verb} ${context.resource}${context.name === undefined ? "" : ` ${context.name}`}`
  const status = statusOf(error)
  const detail = messageOf(error)
  const said = detail === undefined ? "" : ` — ${detail}`
  const [reason, text] = ((): readonly [UnavailableReason, string] => {
    switch (status) {
      case 401: return ["unauthorized", `the API server rejected the credentials (401 Unauthorized) on ${what}`]
      case 403: return ["forbidden", `forbidden (403): the account needs RBAC permission to "${context.verb}" "${context.resource}" in namespace "${context.namespace}"${said}`]
      case 404: return ["not-found", `${what}: not found (404)${said}`]
      case 409: return ["conflict", `${what}: conflict (409)${said}`]
      case 400:
      case 422: return ["invalid", `${what}: the API server refused it (${status})${said}`]
      case 429: return ["server-error", `${what}: the API server is throttling requests (429)`]
      case undefined: {
        const text = causeText(error)
        if (/timeout|timed out|aborted/iu.test(text)) return ["timeout", `${what}: the API server did not answer in time (${text})`]
        return ["unreachable", `${what}: cannot reach the API server (${text})`]
      }
      default: return ["server-error", `${what}: the API server answered ${status}${said}`]
    }
  })()
  return new SourceUnavailable({
    source,
    reason,
    detail: text,
    verb: context.verb,
    resource: context.resource,
    ...(context.name === undefined ? {} : { name: context.name })
  })
}

/** Backoff between read retries: 100 ms, 200 ms, 400 ms, 800 ms. */
export const readBackoff = Schedule.exponential(Duration.millis(100), 2)
/** Retries of a read after its first try. */
export const readRetries = 4

/** One try of a request, failing with the client's own error (or a timeout) so callers can branch on its status. */
export const attemptRequest = <A>(timeoutMs: number, request: () => Promise<A>): Effect.Effect<A, unknown> =>
  Effect.tryPromise({ try: request, catch: (error) => error }).pipe(
    Effect.timeoutOrElse({
      duration: Duration.millis(timeoutMs),
      orElse: () => Effect.fail(new Error(`timed out after ${timeoutMs / 1000} s`))
    }))

/** Runs one API request as an Effect; reads are retried with backoff, writes are not. */
export const apiRequest = <A>(context: RequestContext, request: () => Promise<A>, options: { readonly retry?: boolean } = {}) => {
  const attempt = attemptRequest(context.timeoutMs ?? 10_000, request)
  const withRetries = options.retry === false ? attempt : attempt.pipe(Effect.retry({ schedule: readBackoff, times: readRetries, while: isRetryable }))
  return withRetries.pipe(Effect.mapError((error) => describeApiError(error, context)))
}

/** The raw status of a failed request, to branch on 404 or 409 before describing it. */
export const apiStatus = statusOf
