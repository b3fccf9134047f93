import { ApiException, type ConfigurationOptions, Observable, type ObservableMiddleware } from "@kubernetes/client-node"
import { SourceUnavailable, type UnavailableReason } from "@jsp/core"
import { Duration, Effect, Result } from "effect"

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

/** An error's message and its cause's, for messages: `fetch failed: connect ECONNREFUSED 127.0.0.1:9`. */
export const causeText = (error: unknown): string => {
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : ""
  return error instanceof Error ? `${error.message}${cause}` : String(error)
}

/** The API server answered, but busy or broken: worth another try for a read. */
export const isRetryable = (error: unknown): boolean => {
  const status = statusOf(error)
  if (status === 429 || (status !== undefined && status >= 500)) return true
  return status === undefined && !(error instanceof ApiException)
}

/** Seconds for a message: `10 s`, `0.3 s`, `21.45 s`. */
export const seconds = (ms: number): string => `${Number((ms / 1000).toFixed(2))} s`

/** One try got no complete answer (connection, headers and body) within its deadline; it was aborted. */
export class RequestTimedOut extends Error {
  readonly timeoutMs: number
  constructor(timeoutMs: number) {
    super(`no complete answer within ${seconds(timeoutMs)}`)
    this.name = "RequestTimedOut"
    this.timeoutMs = timeoutMs
  }
}

/** A watch request got no response headers within its deadline (the API server answers a watch at once); it was aborted. */
export class WatchNotAnswered extends Error {
  readonly timeoutMs: number
  constructor(timeoutMs: number) {
    super(`no answer within ${seconds(timeoutMs)}`)
    this.name = "WatchNotAnswered"
    this.timeoutMs = timeoutMs
  }
}

/** A watch that was answered lost its connection. */
export class WatchDropped extends Error {
  readonly afterMs: number
  constructor(afterMs: number, cause: unknown) {
    super(`dropped after ${seconds(afterMs)}`, { cause })
    this.name = "WatchDropped"
    this.afterMs = afterMs
  }
}

/** Nothing arrived on a watch for longer than the API server was asked to keep it open; it was aborted. */
export class WatchSilent extends Error {
  readonly quietMs: number
  readonly timeoutSeconds: number
  constructor(quietMs: number, timeoutSeconds: number) {
    super(`silent for ${seconds(quietMs)}`)
    this.name = "WatchSilent"
    this.quietMs = quietMs
    this.timeoutSeconds = timeoutSeconds
  }
}

const refused = (error: unknown): boolean => {
  for (let e: unknown = error, depth = 0; typeof e === "object" && e !== null && depth < 5; e = Reflect.get(e, "cause"), depth++) {
    if (Reflect.get(e, "code") === "ECONNREFUSED") return true
  }
  return false
}

/** How many tries a request took, and how long they took together. */
export interface Attempts {
  readonly tries: number
  readonly elapsedMs: number
}

/** A request that failed: the client's own error of the last try (to branch on its status), and the tries. */
export interface RequestFailed extends Attempts {
  readonly error: unknown
}

/** A failed request as an error a person can act on: unreachable server, credentials, the missing RBAC permission, a timeout. */
export const describeApiError = (error: unknown, context: RequestContext, attempts?: Attempts): SourceUnavailable => {
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
        if (error instanceof RequestTimedOut) {
          const timeout = context.timeoutMs ?? error.timeoutMs
          const budget = attempts !== undefined && attempts.tries > 1 ? `, all tries together ${seconds(timeout * retryBudgetFactor)}` : ""
          return ["timeout", `${what}: the API server did not answer in time (each try may take ${seconds(timeout)}${budget})`]
        }
        if (error instanceof WatchNotAnswered) {
          return ["timeout", `${what}: the API server accepted the watch and sent no answer within ${seconds(error.timeoutMs)} (it answers a watch at once); abandoned`]
        }
        if (error instanceof WatchDropped) return ["unreachable", `${what}: the connection was dropped after ${seconds(error.afterMs)} (${causeText(error.cause)})`]
        if (error instanceof WatchSilent) {
          return ["timeout", `${what}: nothing arrived for ${seconds(error.quietMs)}, though the API server was asked to end the watch after ${error.timeoutSeconds} s; abandoned`]
        }
        if (refused(error)) return ["unreachable", `${what}: cannot reach the API server: it refused the connection (${text})`]
        if (/timeout|timed out|aborted/iu.test(text)) return ["timeout", `${what}: the API server did not answer in time (${text})`]
        return ["unreachable", `${what}: cannot reach the API server (${text})`]
      }
      default: return ["server-error", `${what}: the API server answered ${status}${said}`]
    }
  })()
  const tried = attempts === undefined || (attempts.tries === 1 && reason !== "timeout")
    ? ""
    : `; ${attempts.tries} ${attempts.tries === 1 ? "try" : "tries"} in ${seconds(attempts.elapsedMs)}`
  return new SourceUnavailable({
    source,
    reason,
    detail: `${text}${tried}`,
    verb: context.verb,
    resource: context.resource,
    ...(context.name === undefined ? {} : { name: context.name })
  })
}

/** Retries of a read after its first try, at most; the backoff between them is 100 ms, 200 ms, 400 ms, 800 ms. */
export const readRetries = 4
/** All the tries of one request, backoff included, take at most this many request timeouts. */
export const retryBudgetFactor = 2
/** Another try starts only if at least this share of a request timeout is left of the budget. */
const minimumTryShare = 0.25

const maxTimerMs = 2 ** 31 - 1

/** Per-call options of the generated API that give the call an abort signal. */
export type CallOptions = ConfigurationOptions<ObservableMiddleware>

interface Closable {
  close(): Promise<void>
  destroy(): Promise<void>
}

// The client builds a dispatcher (undici Agent) of its own per request when TLS options are set;
// the middleware runs after that, so it sees it, and the request's end closes it.
const callOptions = (signal: AbortSignal, dispatcher: (d: Closable | undefined) => void): CallOptions => ({
  middleware: [{
    pre: (context) => {
      context.setSignal(signal)
      dispatcher(context.getDispatcher())
      return new Observable(Promise.resolve(context))
    },
    post: (response) => new Observable(Promise.resolve(response))
  }],
  middlewareMergeStrategy: "append"
})

/**
 * One try of a request with a deadline that covers everything: authentication, connecting, the
 * headers and the body. At the deadline the call is aborted (its socket destroyed) and the try
 * fails with `RequestTimedOut`; interrupting the effect aborts it too. Whatever the outcome, the
 * connection the client opened for it is closed, so nothing keeps a finished command alive.
 */
export const attemptRequest = <A>(timeoutMs: number, request: (options: CallOptions) => Promise<A>): Effect.Effect<A, unknown> =>
  Effect.tryPromise({
    try: (interrupted) => new Promise<A>((resolve, reject) => {
      const controller = new AbortController()
      let used: Closable | undefined
      let done = false
      const finish = (abort: unknown) => {
        if (done) return
        done = true
        clearTimeout(timer)
        interrupted.removeEventListener("abort", onInterrupt)
        if (abort !== undefined) controller.abort(abort)
        const closing = abort === undefined ? used?.close() : used?.destroy()
        closing?.catch(() => undefined)
      }
      // A timer longer than 2^31-1 ms would fire at once (Node's limit); that long is no limit anyway.
      const timer = setTimeout(() => {
        const error = new RequestTimedOut(timeoutMs)
        finish(error)
        reject(error)
      }, Math.min(timeoutMs, maxTimerMs))
      const onInterrupt = () => {
        finish(interrupted.reason ?? new Error("interrupted"))
        reject(interrupted.reason)
      }
      interrupted.addEventListener("abort", onInterrupt, { once: true })
      const options = callOptions(controller.signal, (dispatcher) => {
        used = dispatcher
        // Authentication outlived the deadline: the call starts already aborted; close at once.
        if (done) dispatcher?.destroy().catch(() => undefined)
      })
      let pending: Promise<A>
      try {
        pending = request(options)
      } catch (error) {
        finish(undefined)
        reject(error)
        return
      }
      pending.then((value) => {
        finish(undefined)
        resolve(value)
      }, (error: unknown) => {
        finish(undefined)
        reject(error)
      })
    }),
    catch: (error) => error
  })

/**
 * A request with its tries: one, or for a read (`retry`), more while the failure is worth another
 * (429, 5xx, no answer) with backoff, within a budget of `retryBudgetFactor` request timeouts for
 * all of them. Each try's deadline is the request timeout or what is left of the budget, if less;
 * a try starts only if a quarter of a request timeout is left. Fails with the last try's error.
 */
export const requestWithRetries = <A>(
  timeoutMs: number,
  request: (options: CallOptions) => Promise<A>,
  options: { readonly retry?: boolean } = {}
): Effect.Effect<A, RequestFailed> =>
  retryWithinBudget(timeoutMs, (deadlineMs) => attemptRequest(deadlineMs, request), (error) => options.retry !== false && isRetryable(error))

/**
 * Tries `attempt` (given its deadline) again while `retryable` says so, at most `readRetries`
 * times, with backoff from 100 ms, within `retryBudgetFactor` timeouts for all the tries.
 */
export const retryWithinBudget = <A, E>(
  timeoutMs: number,
  attempt: (deadlineMs: number) => Effect.Effect<A, E>,
  retryable: (error: E) => boolean
): Effect.Effect<A, { readonly error: E; readonly tries: number; readonly elapsedMs: number }> => Effect.gen(function*() {
  const started = Date.now()
  const budget = timeoutMs * retryBudgetFactor
  let delay = 100
  for (let tries = 1; ; tries++) {
    const left = budget - (Date.now() - started)
    const result = yield* Effect.result(attempt(Math.max(1, Math.min(timeoutMs, left))))
    if (Result.isSuccess(result)) return result.success
    const error = result.failure
    const elapsedMs = Date.now() - started
    const stop = tries > readRetries || !retryable(error) || budget - elapsedMs - delay < timeoutMs * minimumTryShare
    if (stop) return yield* Effect.fail({ error, tries, elapsedMs })
    yield* Effect.sleep(Duration.millis(delay))
    delay *= 2
  }
})

/** Runs one API request as an Effect; reads are retried within the budget, writes are not. */
export const apiRequest = <A>(context: RequestContext, request: (options: CallOptions) => Promise<A>, options: { readonly retry?: boolean } = {}) =>
  requestWithRetries(context.timeoutMs ?? 10_000, request, options).pipe(
    Effect.mapError((failed) => describeApiError(failed.error, context, failed)))

/** The raw status of a failed request, to branch on 404 or 409 before describing it. */
export const apiStatus = statusOf
