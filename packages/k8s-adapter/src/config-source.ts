import { CoreV1Api } from "@kubernetes/client-node"
import {
  ConfigSource,
  type ConfigMapNames,
  defaultConfigMapNames,
  type SourceStatus
} from "@jsp/core"
import { Effect, Layer } from "effect"
import { apiRequest, describeApiError, isRetryable, requestContext, retryWithinBudget } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"
import { type CacheLog, ConfigMapCache } from "./config-map-cache.ts"
import { FirstSyncFailed, type RunningWatch, watchConfigMaps, type WatchOptions, watchTimingsOf } from "./watcher.ts"

/** Options of the cluster source. */
export interface ClusterSourceOptions extends WatchOptions {
  /** Keep watching (servers), or read once (one-shot commands). Default: watch. */
  readonly watch?: boolean | undefined
  readonly names?: ConfigMapNames | undefined
}

const listOnce = (cluster: Cluster, cache: ConfigMapCache) => {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api)
  return apiRequest(requestContext(cluster, "list", "configmaps"),
    (options) => core.listNamespacedConfigMap({ namespace: cluster.namespace }, options)).pipe(Effect.map((list) => cache.replaceAll(list.items)))
}

// The first sync is retried like any read, within the same budget; a watch that later fails
// restarts by itself. (Each list of the first sync has the request's deadline.)
const startWatch = (cluster: Cluster, cache: ConfigMapCache, log: CacheLog, options: ClusterSourceOptions) =>
  Effect.acquireRelease(
    retryWithinBudget(cluster.requestTimeoutMs, () => Effect.tryPromise({
      try: () => watchConfigMaps(cluster, cache, log, watchTimingsOf(options)),
      catch: (error) => error instanceof FirstSyncFailed ? error : new FirstSyncFailed(error, "list")
    }), (failed) => isRetryable(failed.error)).pipe(
      Effect.mapError(({ error, tries, elapsedMs }) =>
        describeApiError(error.error, requestContext(cluster, error.verb, "configmaps"), { tries, elapsedMs }))
    ),
    (running: RunningWatch) => Effect.promise(() => running.stop())
  )

/**
 * `ConfigSource` from a cluster (SPEC 1, "Cluster"): the ConfigMap `jupyter-singleuser-profiles`,
 * then the labelled ones by name, and users' settings ConfigMaps — all from one watched cache, so
 * once synced a spawn makes no API call. A watching source logs what happens to the configuration
 * (rejected versions, restarts) through Effect's logger; a one-shot read reports the same things
 * as warnings of what it returns.
 */
export const ClusterConfigSource = (cluster: Cluster, options: ClusterSourceOptions = {}) =>
  Layer.effect(ConfigSource, Effect.gen(function*() {
    const names = options.names ?? defaultConfigMapNames
    const watching = options.watch !== false
    // The watch calls back from outside any fiber: its logs go to the logger of whoever built the layer.
    const context = yield* Effect.context<never>()
    const log: CacheLog = watching
      ? (level, message) => Effect.runSyncWith(context)(level === "info" ? Effect.logInfo(message) : Effect.logWarning(message))
      : () => undefined
    const cache = new ConfigMapCache(cluster.namespace, names, log)
    let watch: () => Omit<SourceStatus, "where" | "documents"> = () => ({ synced: true, restarts: 0 })
    if (watching) {
      const running = yield* startWatch(cluster, cache, log, options)
      watch = running.state
    } else {
      yield* listOnce(cluster, cache)
    }
    const where = `cluster ${cluster.server} namespace ${cluster.namespace}`
    return ConfigSource.of({
      configuration: Effect.sync(() => cache.configuration()),
      userSettings: (user) => Effect.fromResult(cache.userSettings(user)),
      configMapKey: (name, key) => Effect.sync(() => cache.configMapKey(name, key)),
      inventory: Effect.sync(() => ({ where, ...cache.inventory() })),
      status: Effect.sync(() => ({ where, ...watch(), documents: cache.documentStatuses() }))
    })
  }))
