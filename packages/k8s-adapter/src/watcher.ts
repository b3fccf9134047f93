import { CoreV1Api } from "@kubernetes/client-node"
import type { RestartCause, SourceUnavailable } from "@jsp/core"
import { Effect } from "effect"
import { apiStatus, attemptRequest, type CallOptions, describeApiError, RequestTimedOut, requestContext, seconds } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"
import type { ConfigMapCache } from "./config-map-cache.ts"
import { type WatchEnd, type WatchEvent, watchOnce } from "./watch-request.ts"

/** How a watch of a collection (the namespace's ConfigMaps) is doing, for a server's status. */
export interface WatchState {
  readonly synced: boolean
  readonly restarts: number
  readonly restartsBy: Readonly<Record<RestartCause, number>>
  readonly lastError?: SourceUnavailable
  readonly staleSince?: string
  readonly staleReason?: string
  readonly newestEventAt?: string
}

/** A running watch: its state, and how to stop it. */
export interface RunningWatch {
  readonly state: () => WatchState
  /** Aborts every request in flight; nothing is opened after it returns. */
  readonly stop: () => Promise<void>
}

/** The first list or watch failed: the raw error (for its status code), and which call it was. */
export class FirstSyncFailed {
  readonly error: unknown
  readonly verb: "list" | "watch"
  constructor(error: unknown, verb: "list" | "watch") {
    this.error = error
    this.verb = verb
  }
}

/** The timings of the watch; tests shorten them. */
export interface WatchTimings {
  /** A watch's response headers must arrive within this; the API server answers a watch at once. */
  readonly headerTimeoutMs: number
  /**
   * The API server is asked to end each watch after this (`timeoutSeconds`); it is resumed at once.
   * A watch silent for this plus the header deadline is taken for dead and abandoned.
   */
  readonly watchTimeoutSeconds: number
  /** Between tries after the API server answered with an error: doubling, reset by a watch that worked. */
  readonly restartBackoff: { readonly initialMs: number; readonly maxMs: number }
  /**
   * Between tries while the API server gives no answer (refused, closed, hung): the try is the
   * probe, and costs the server nothing, so the cache catches up as soon as it is back.
   */
  readonly probeIntervalMs: number
}

/** 5 s for a watch's headers, watches of 60 s, backoff from 1 s to 30 s, a probe every 0.5 s. */
export const defaultWatchTimings: WatchTimings = {
  headerTimeoutMs: 5_000,
  watchTimeoutSeconds: 60,
  restartBackoff: { initialMs: 1_000, maxMs: 30_000 },
  probeIntervalMs: 500
}

/** A watch's timings as options take them: each left out is the default. */
export interface WatchOptions {
  /** Backoff between restarts of a failed watch (default 1 s doubling to 30 s). */
  readonly restartBackoff?: { readonly initialMs: number; readonly maxMs: number } | undefined
  /** A watch's response headers must arrive within this (default 5 s). */
  readonly watchHeaderTimeoutMs?: number | undefined
  /** The API server is asked to end each watch after this (default 60 s); it is resumed at once. */
  readonly watchTimeoutSeconds?: number | undefined
  /** Between tries while the API server gives no answer (default 0.5 s). */
  readonly probeIntervalMs?: number | undefined
}

/** The watch's timings: the defaults, with what the options set. */
export const watchTimingsOf = (options: WatchOptions): WatchTimings => ({
  headerTimeoutMs: options.watchHeaderTimeoutMs ?? defaultWatchTimings.headerTimeoutMs,
  // The API takes whole seconds.
  watchTimeoutSeconds: Math.max(1, Math.round(options.watchTimeoutSeconds ?? defaultWatchTimings.watchTimeoutSeconds)),
  restartBackoff: options.restartBackoff ?? defaultWatchTimings.restartBackoff,
  probeIntervalMs: options.probeIntervalMs ?? defaultWatchTimings.probeIntervalMs
})

const noRestarts = (): Record<RestartCause, number> => ({ ended: 0, dropped: 0, silent: 0, "timed-out": 0, unreachable: 0, failed: 0, gone: 0 })

/** How a list ended, in the terms of a watch's ending. */
const listFailure = (error: unknown): WatchEnd => {
  const status = apiStatus(error)
  const cause: RestartCause = error instanceof RequestTimedOut ? "timed-out" : status === 410 ? "gone" : status !== undefined ? "failed" : "unreachable"
  return { cause, error, answered: false, events: 0, openMs: 0 }
}

/** Sleeps, or less if `signal` aborts. */
const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  if (ms <= 0 || signal.aborted) return resolve()
  const done = () => {
    clearTimeout(timer)
    signal.removeEventListener("abort", done)
    resolve()
  }
  const timer = setTimeout(done, ms)
  signal.addEventListener("abort", done, { once: true })
})

/** A collection of the namespace to list and watch, and where what is seen goes. */
export interface WatchedCollection {
  /** What it holds, as messages name it: `ConfigMaps`, `single-user pods`. */
  readonly what: string
  /** The resource, as errors name it: `configmaps`, `pods`. */
  readonly resource: string
  /** Its path, e.g. `/api/v1/namespaces/odh/configmaps`. */
  readonly path: string
  readonly labelSelector?: string
  /** Lists it, with the request's options (its deadline). */
  readonly list: (options: CallOptions) => Promise<{ readonly items: ReadonlyArray<unknown>; readonly metadata?: { readonly resourceVersion?: string } }>
  /** Everything listed, replacing what was held. */
  readonly replaceAll: (items: ReadonlyArray<unknown>) => void
  readonly upsert: (object: unknown) => void
  readonly remove: (object: unknown) => void
}

/**
 * Lists and then watches every ConfigMap of the namespace into the cache (see `watchCollection`).
 */
export const watchConfigMaps = (
  cluster: Cluster,
  cache: ConfigMapCache,
  report: (level: "info" | "warning", message: string) => void,
  timings: WatchTimings = defaultWatchTimings
): Promise<RunningWatch> => {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api)
  return watchCollection(cluster, {
    what: "ConfigMaps",
    resource: "configmaps",
    path: `/api/v1/namespaces/${encodeURIComponent(cluster.namespace)}/configmaps`,
    list: (options) => core.listNamespacedConfigMap({ namespace: cluster.namespace }, options),
    replaceAll: (items) => cache.replaceAll(items),
    upsert: (object) => cache.upsert(object),
    remove: (object) => cache.remove(object)
  }, report, timings)
}

/**
 * Lists and then watches a collection of the namespace, with its own watch loop (`watchOnce`): a
 * watch that ends cleanly, drops or goes silent after it worked is resumed from its
 * resourceVersion at once; 410 Gone lists again at once; a failure waits — the probe interval
 * while the server gives no answer, the backoff while it answers errors. Resolves once the first
 * list is held and the first watch is answered; rejects with `FirstSyncFailed` otherwise.
 */
export const watchCollection = async (
  cluster: Cluster,
  collection: WatchedCollection,
  report: (level: "info" | "warning", message: string) => void,
  timings: WatchTimings = defaultWatchTimings
): Promise<RunningWatch> => {
  const { path, what } = collection
  const where = `cluster ${cluster.server} namespace ${cluster.namespace}`
  const stopping = new AbortController()
  const restartsBy = noRestarts()
  let resourceVersion = ""
  let synced = false
  let staleSince: number | undefined
  let staleReason: string | undefined
  let lastError: SourceUnavailable | undefined
  let newestEventAt: number | undefined
  // Failures in a row, for the backoff; what was last said of them, so a repeated cause is said once.
  let failures = 0
  let warned: string | undefined
  let tries = 0

  const stopped: WatchEnd = { cause: "stopped", answered: false, events: 0, openMs: 0 }
  // Told once, when the first watch is answered: the first sync is over.
  let firstAnswered: (() => void) | undefined

  const list = async (): Promise<WatchEnd | undefined> => {
    try {
      const listed = await Effect.runPromise(attemptRequest(cluster.requestTimeoutMs, collection.list), { signal: stopping.signal })
      if (stopping.signal.aborted) return stopped
      collection.replaceAll(listed.items)
      resourceVersion = listed.metadata?.resourceVersion ?? ""
      newestEventAt = Date.now()
      return undefined
    } catch (error) {
      return stopping.signal.aborted ? stopped : listFailure(error)
    }
  }

  const onEvent = (event: WatchEvent) => {
    if (stopping.signal.aborted) return
    const metadata = event.object["metadata"]
    const rv = typeof metadata === "object" && metadata !== null ? Reflect.get(metadata, "resourceVersion") : undefined
    if (typeof rv === "string" && rv !== "") resourceVersion = rv
    newestEventAt = Date.now()
    if (event.type === "ADDED" || event.type === "MODIFIED") collection.upsert(event.object)
    else if (event.type === "DELETED") collection.remove(event.object)
  }

  const onAnswered = () => {
    if (stopping.signal.aborted) return
    if (warned !== undefined && staleSince !== undefined) {
      report("info", `${where}: watching ${what} again, after ${seconds(Date.now() - staleSince)} stale and ${tries} ${tries === 1 ? "try" : "tries"}`)
    }
    synced = true
    staleSince = undefined
    staleReason = undefined
    lastError = undefined
    warned = undefined
    tries = 0
    firstAnswered?.()
    firstAnswered = undefined
  }

  /** Records why the watch (or list) ended, says so when it is news, and waits as the cause asks. */
  const restart = async (ended: WatchEnd, verb: "list" | "watch"): Promise<void> => {
    if (ended.cause === "stopped") return
    const cause = ended.cause
    restartsBy[cause]++
    tries++
    synced = false
    staleSince ??= Date.now()
    // A watch worked if it delivered something or stayed open a backoff step. An ending of the
    // kind that is resumed at once is, the first time in a row; again and again, it is a failure
    // with backoff, so a broken proxy or a server that keeps answering 410 gets no request loop.
    const worked = ended.answered && cause !== "failed" && (ended.events > 0 || ended.openMs >= timings.restartBackoff.initialMs)
    if (worked) failures = 0
    const resumable = cause === "ended" || cause === "dropped" || cause === "silent" || cause === "gone"
    const probing = cause === "timed-out" || cause === "unreachable"
    const delay = resumable && failures === 0 ? 0
      : probing ? timings.probeIntervalMs
      : Math.min(timings.restartBackoff.initialMs * 2 ** Math.min(failures - (resumable ? 1 : 0), 30), timings.restartBackoff.maxMs)
    if (!worked) failures++
    const error = ended.error === undefined ? undefined : describeApiError(ended.error, requestContext(cluster, verb, collection.resource))
    if (error !== undefined && cause !== "gone") lastError = error
    const detail = cause === "gone" ? `resourceVersion ${resourceVersion} is gone (410)`
      : cause === "ended" ? `the API server ended the watch${worked ? "" : " at once"}`
      : error?.detail ?? cause
    if (delay === 0) {
      const next = cause === "gone" ? `listing the ${what} again` : `watching again from resourceVersion ${resourceVersion}`
      staleReason = `${detail}; ${next}`
      if (cause === "gone") report("info", `${where}: ${staleReason}`)
      else if (cause !== "ended") {
        warned = detail
        report("warning", `${where}: ${staleReason}`)
      }
      return
    }
    staleReason = `${detail}; trying again in ${seconds(delay)}`
    if (warned !== detail) {
      warned = detail
      const probe = probing ? `, and every ${seconds(delay)} while there is no answer` : ""
      report("warning", `${where}: ${staleReason}${probe} (the configuration in force is kept)`)
    }
    await sleep(delay, stopping.signal)
  }

  const watch = () => watchOnce(cluster.kubeConfig, {
    path,
    ...(collection.labelSelector === undefined ? {} : { labelSelector: collection.labelSelector }),
    resourceVersion,
    timeoutSeconds: timings.watchTimeoutSeconds,
    headerTimeoutMs: timings.headerTimeoutMs,
    signal: stopping.signal,
    onAnswered,
    onEvent
  })

  const run = async (after: WatchEnd): Promise<void> => {
    let needList = after.cause === "gone"
    while (!stopping.signal.aborted) {
      if (needList) {
        const failed = await list()
        if (failed !== undefined) {
          await restart(failed, "list")
          continue
        }
        needList = false
      }
      const ended = await watch()
      needList = ended.cause === "gone"
      await restart(ended, "watch")
    }
  }

  // The first sync: a list, then a watch that is answered. Its failures go to the caller, which
  // decides whether to try again; after it, the loop goes on by itself.
  const listFailed = await list()
  if (listFailed !== undefined) throw new FirstSyncFailed(listFailed.error ?? new Error(listFailed.cause), "list")
  const answeredNow = new Promise<"answered">((resolve) => {
    firstAnswered = () => resolve("answered")
  })
  const firstWatch = watch()
  const firstOutcome = await Promise.race([answeredNow, firstWatch])
  if (firstOutcome !== "answered") throw new FirstSyncFailed(firstOutcome.error ?? new Error(firstOutcome.cause), "watch")
  const loop = firstWatch.then(async (ended) => {
    await restart(ended, "watch")
    await run(ended)
  })
    .catch((error: unknown) => report("warning", `${where}: the watch of ${what} stopped: ${String(error)}`))

  return {
    state: () => ({
      synced,
      restarts: Object.values(restartsBy).reduce((a, b) => a + b, 0),
      restartsBy: { ...restartsBy },
      ...(lastError === undefined ? {} : { lastError }),
      ...(staleSince === undefined ? {} : { staleSince: new Date(staleSince).toISOString() }),
      ...(staleReason === undefined ? {} : { staleReason }),
      ...(newestEventAt === undefined ? {} : { newestEventAt: new Date(newestEventAt).toISOString() })
    }),
    stop: async () => {
      stopping.abort()
      await loop
    }
  }
}
