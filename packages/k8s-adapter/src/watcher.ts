import { CoreV1Api, makeInformer, type V1ConfigMap, type V1ConfigMapList } from "@kubernetes/client-node"
import type { SourceUnavailable } from "@jsp/core"
import { Effect } from "effect"
import { attemptRequest, describeApiError, requestContext } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"
import type { ConfigMapCache } from "./config-map-cache.ts"

/** How the watch of the namespace's ConfigMaps is doing, for a server's status. */
export interface WatchState {
  readonly synced: boolean
  readonly restarts: number
  readonly lastError?: SourceUnavailable
}

/** A running watch: its state, and how to stop it. */
export interface RunningWatch {
  readonly state: () => WatchState
  readonly stop: () => Promise<void>
}

/** The first list or watch failed: the client's own error, and which call it was. */
export class FirstSyncFailed {
  readonly error: unknown
  readonly verb: "list" | "watch"
  constructor(error: unknown, verb: "list" | "watch") {
    this.error = error
    this.verb = verb
  }
}

/** Backoff between restarts of a failed watch: 1 s, doubling, at most 30 s. */
export const restartBackoff = { initialMs: 1_000, maxMs: 30_000 }

/**
 * Lists and then watches every ConfigMap of the namespace into the cache. The client's informer
 * relists by itself after 410 Gone and reconnects after a closed stream; on any other failure it
 * stops, so it is restarted here with backoff. Resolves once the first list is in the cache;
 * rejects with the client's own error when that first list fails.
 */
export const watchConfigMaps = async (
  cluster: Cluster,
  cache: ConfigMapCache,
  report: (message: string) => void,
  backoff: { readonly initialMs: number; readonly maxMs: number } = restartBackoff
): Promise<RunningWatch> => {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api)
  const context = () => requestContext(cluster, listed ? "watch" : "list", "configmaps")
  // The informer's list has no deadline of its own: a server that accepts and never answers would
  // hold the first sync (and every relist) forever. Each list gets the request's deadline, and is
  // aborted at it.
  // Whether the last list succeeded: a failure after it is the watch's, and says so.
  let listed = false
  const list = async (): Promise<V1ConfigMapList> => {
    listed = false
    const result = await Effect.runPromise(attemptRequest(cluster.requestTimeoutMs,
      (options) => core.listNamespacedConfigMap({ namespace: cluster.namespace }, options)))
    listed = true
    return result
  }
  const informer = makeInformer(cluster.kubeConfig, `/api/v1/namespaces/${cluster.namespace}/configmaps`, list)
  let stopped = false
  let starting = false
  let startError: unknown = undefined
  let synced = false
  let restarts = 0
  let lastError: SourceUnavailable | undefined
  let delay = backoff.initialMs
  let timer: NodeJS.Timeout | undefined

  // The client may reconnect on its own just as stop() runs, with no request yet to abort: events
  // after stop() are dropped, and each aborts whatever watch delivered it.
  const whileRunning = (apply: (cm: V1ConfigMap) => void) => (cm: V1ConfigMap) => {
    if (stopped) void informer.stop()
    else apply(cm)
  }
  informer.on("add", whileRunning((cm) => cache.upsert(cm)))
  informer.on("update", whileRunning((cm) => cache.upsert(cm)))
  informer.on("delete", whileRunning((cm) => cache.remove(cm)))

  const run = async (): Promise<void> => {
    starting = true
    startError = undefined
    try {
      await informer.start()
    } finally {
      starting = false
    }
    if (startError !== undefined) throw startError
  }

  // The start in flight, so that stop() can wait for it: the client's start() clears its own
  // stopped flag, so a stop during a restart would otherwise leave a watch running.
  let inFlight: Promise<void> | undefined

  const failed = (error: unknown): void => {
    if (stopped) return
    lastError = describeApiError(error, context())
    report(`${lastError.message}; watching again in ${delay / 1000} s (the configuration in force is kept)`)
    timer = setTimeout(() => {
      timer = undefined
      restarts++
      inFlight = run().then(() => {
        if (stopped) return informer.stop()
        report(`${cluster.namespace}: watching ConfigMaps again`)
        lastError = undefined
        delay = backoff.initialMs
      }, failed)
    }, delay)
    delay = Math.min(delay * 2, backoff.maxMs)
  }

  informer.on("error", (error: unknown) => {
    if (stopped) return
    if (starting) startError = error
    else failed(error)
  })

  try {
    await run()
  } catch (error) {
    // The caller decides whether to try again, from the raw error (status code), and describes it.
    stopped = true
    await informer.stop()
    throw new FirstSyncFailed(error, listed ? "watch" : "list")
  }
  synced = true
  return {
    state: () => ({ synced, restarts, ...(lastError === undefined ? {} : { lastError }) }),
    stop: async () => {
      stopped = true
      if (timer !== undefined) clearTimeout(timer)
      await inFlight
      await informer.stop()
      // A reconnect of the client's own may still be connecting; once it has (within a request's
      // time), stopping again aborts it.
      setTimeout(() => void informer.stop(), cluster.requestTimeoutMs).unref()
    }
  }
}
