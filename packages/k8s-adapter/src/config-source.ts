import { CoreV1Api } from "@kubernetes/client-node"
import {
  ConfigSource,
  type ConfigMapNames,
  type ConfigMapView,
  defaultConfigMapNames,
  parseRawDocument,
  type RawDocument
} from "@jsp/core"
import { Context, Effect, Layer, Option } from "effect"
import { apiRequest, describeApiError, isRetryable, readBackoff, readRetries, requestContext } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"
import { ConfigMapCache, type ConfigMapState } from "./config-map-cache.ts"
import { FirstSyncFailed, type RunningWatch, watchConfigMaps, type WatchState } from "./watcher.ts"

/** Options of the cluster source. */
export interface ClusterSourceOptions {
  /** Keep watching (servers), or read once (one-shot commands). Default: watch. */
  readonly watch?: boolean | undefined
  readonly names?: ConfigMapNames | undefined
  /** Where reports of rejected documents and watch failures go; default standard error. */
  readonly report?: ((message: string) => void) | undefined
  /** Backoff between restarts of a failed watch (default 1 s doubling to 30 s). */
  readonly restartBackoff?: { readonly initialMs: number; readonly maxMs: number } | undefined
}

/** What a server exposes about its configuration: the watch, and every ConfigMap's state. */
export interface ClusterSourceState {
  readonly watch: WatchState
  readonly configMaps: ReadonlyArray<ConfigMapState>
}

/** Every ConfigMap of the namespace as last seen, for checks beyond the configuration (users' settings). */
export type ConfigMapViews = () => ReadonlyArray<ConfigMapView>

/** The state of the cluster source, for readiness and status endpoints. */
export class ClusterSourceStatus extends Context.Service<ClusterSourceStatus, {
  readonly state: () => ClusterSourceState
  readonly configMaps: ConfigMapViews
}>()("@jsp/k8s-adapter/ClusterSourceStatus") {}

const defaultReport = (message: string): void => {
  process.stderr.write(`jsp: ${message}\n`)
}

const listOnce = (cluster: Cluster, cache: ConfigMapCache) => {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api)
  return apiRequest(requestContext(cluster, "list", "configmaps"),
    () => core.listNamespacedConfigMap({ namespace: cluster.namespace })).pipe(Effect.map((list) => cache.replaceAll(list.items)))
}

// The first sync is retried like any read; a watch that later fails restarts by itself.
const startWatch = (cluster: Cluster, cache: ConfigMapCache, report: (message: string) => void, options: ClusterSourceOptions) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: () => watchConfigMaps(cluster, cache, report, options.restartBackoff),
      catch: (error) => error instanceof FirstSyncFailed ? error : new FirstSyncFailed(error, "list")
    }).pipe(
      Effect.retry({ schedule: readBackoff, times: readRetries, while: (failed) => isRetryable(failed.error) }),
      Effect.mapError((failed) => describeApiError(failed.error, requestContext(cluster, failed.verb, "configmaps")))
    ),
    (running: RunningWatch) => Effect.promise(() => running.stop())
  )

/**
 * `ConfigSource` from a cluster (SPEC 1, "Cluster"): the ConfigMap `jupyter-singleuser-profiles`,
 * then the labelled ones by name, and users' settings ConfigMaps — all from one watched cache, so
 * once synced a spawn makes no API call. Also provides `ClusterSourceStatus`.
 */
export const ClusterConfigSource = (cluster: Cluster, options: ClusterSourceOptions = {}) =>
  Layer.effectContext(Effect.gen(function*() {
    const report = options.report ?? defaultReport
    const names = options.names ?? defaultConfigMapNames
    const cache = new ConfigMapCache(cluster.namespace, names, report)
    let watch: () => WatchState = () => ({ synced: true, restarts: 0 })
    if (options.watch === false) {
      yield* listOnce(cluster, cache)
    } else {
      const running = yield* startWatch(cluster, cache, report, options)
      watch = running.state
    }
    const source = ConfigSource.of({
      documents: Effect.sync(() => cache.documents()),
      userSettings: (user) => {
        const document = cache.userSettings(user)
        return document === undefined ? Effect.succeed(Option.none<RawDocument>()) : Effect.map(Effect.fromResult(parseRawDocument(document)), Option.some)
      }
    })
    return Context.make(ConfigSource, source).pipe(
      Context.add(ClusterSourceStatus, ClusterSourceStatus.of({ state: () => ({ watch: watch(), configMaps: cache.configMapStates() }), configMaps: () => cache.views() })))
  }))
