import { type ConfigMapNames, defaultConfigMapNames } from "@jsp/core"
import { FileConfigSource, FileImageCatalog, FileUserSettingsStore } from "@jsp/file-adapter"
import type { Cluster } from "@jsp/k8s-adapter"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Layer, Option, Result } from "effect"
import { CliFailure, ExitCode, usageError } from "./failure.ts"

// The cluster adapter (with @kubernetes/client-node, ~870 modules) is loaded only when the cluster is used.
export const k8sAdapter = Effect.promise(() => import("@jsp/k8s-adapter"))

/** The flags that reach a cluster. */
export interface ClusterFlags {
  readonly namespace: Option.Option<string>
  readonly kubeconfig: Option.Option<string>
  readonly server: Option.Option<string>
  readonly token: Option.Option<string>
  /** `--request-timeout`: seconds one try of an API request may take. */
  readonly requestTimeout: number
}

/** The flags that choose a source. */
export interface SourceFlags extends ClusterFlags {
  readonly config: ReadonlyArray<string>
  readonly source: Option.Option<"file" | "cluster">
  readonly configMap: string
  readonly configMapLabel: string
  readonly configMapKey: string
  readonly userSettings?: Option.Option<string>
  /** Files holding services' templates (ConfigMap manifests), read beside the configuration. */
  readonly templates?: ReadonlyArray<string>
  /** Files of ImageStream manifests: the image catalog, instead of the cluster's ImageStreams. */
  readonly imageStreams?: ReadonlyArray<string>
}

/** Where configuration lives, from `--configmap`, `--configmap-label` and `--configmap-key`. */
export const namesOf = (flags: SourceFlags): Effect.Effect<ConfigMapNames, CliFailure> => {
  const at = flags.configMapLabel.indexOf("=")
  if (at <= 0) return Effect.fail(new CliFailure({ text: `--configmap-label ${flags.configMapLabel}: expected KEY=VALUE`, code: ExitCode.usage }))
  return Effect.succeed({
    ...defaultConfigMapNames,
    configMap: flags.configMap,
    label: { key: flags.configMapLabel.slice(0, at), value: flags.configMapLabel.slice(at + 1) },
    key: flags.configMapKey
  })
}

/** File when `--config` is given (or `--source file`), else the cluster. */
export const sourceKind = (flags: SourceFlags): "file" | "cluster" =>
  Option.getOrElse(flags.source, () => flags.config.length > 0 ? "file" : "cluster")

/** The cluster the flags point at. */
export const clusterOf = (flags: ClusterFlags): Effect.Effect<Cluster, CliFailure> => {
  if (Option.isSome(flags.server) !== Option.isSome(flags.token)) return usageError("--server and --token go together")
  if (Option.isSome(flags.server) && Option.isSome(flags.kubeconfig)) return usageError("give either --kubeconfig or --server with --token, not both")
  if (!(flags.requestTimeout > 0)) return usageError(`--request-timeout ${flags.requestTimeout}: expected a positive number of seconds`)
  return Effect.flatMap(k8sAdapter, ({ loadCluster }) => {
    const cluster = loadCluster({
      kubeconfig: Option.getOrUndefined(flags.kubeconfig),
      namespace: Option.getOrUndefined(flags.namespace),
      server: Option.getOrUndefined(flags.server),
      token: Option.getOrUndefined(flags.token),
      requestTimeoutSeconds: flags.requestTimeout
    })
    return Result.isSuccess(cluster)
      ? Effect.succeed(cluster.success)
      : Effect.fail(new CliFailure({ text: cluster.failure.message, code: ExitCode.unavailable, cause: cluster.failure }))
  })
}

/** The cluster flags given (`--server`, `--token`, `--kubeconfig`), for a command that reads nothing from a cluster. */
export const clusterFlagsGiven = (flags: ClusterFlags): ReadonlyArray<string> => [
  ...(Option.isSome(flags.server) ? ["--server"] : []),
  ...(Option.isSome(flags.token) ? ["--token"] : []),
  ...(Option.isSome(flags.kubeconfig) ? ["--kubeconfig"] : [])
]

/**
 * Flags that contradict the source chosen are usage errors rather than silently ignored:
 * `--config` with `--source cluster`; `--server`, `--token` or `--kubeconfig` with the file source
 * when the command reads nothing else from a cluster (`images` and `user-settings set` do: they
 * take `usesCluster`); `--templates` with the cluster source, which reads templates from its ConfigMaps.
 */
export const checkSourceFlags = (flags: SourceFlags, options: { readonly usesCluster?: boolean } = {}): Effect.Effect<void, CliFailure> => {
  if (Option.isSome(flags.source) && flags.source.value === "cluster" && flags.config.length > 0) {
    return usageError("--config reads files: drop --source cluster, or --config to read the cluster")
  }
  if (sourceKind(flags) === "cluster" && (flags.templates?.length ?? 0) > 0) {
    return usageError("--templates reads files: it goes with --config (the cluster source reads the templates from its ConfigMaps)")
  }
  const given = clusterFlagsGiven(flags)
  if (sourceKind(flags) === "file" && options.usesCluster !== true && given.length > 0) {
    return usageError(`${given.join(", ")} ${given.length === 1 ? "reaches" : "reach"} a cluster, but the configuration comes from files (--config or --source file): drop one or the other`)
  }
  return Effect.void
}

/** The file source chosen (`--source file`) without a `--config` to read. */
export const noConfiguration = new CliFailure({ text: "no configuration: give --config PATH, or --source cluster", code: ExitCode.usage })

/** The ConfigSource for a one-shot command: files, or the cluster's ConfigMaps read once. */
export const configSourceLayer = (flags: SourceFlags, options: { readonly usesCluster?: boolean } = {}) => Layer.unwrap(Effect.gen(function*() {
  yield* checkSourceFlags(flags, options)
  if (sourceKind(flags) === "file") {
    if (flags.config.length === 0) return yield* noConfiguration
    const userSettingsFile = flags.userSettings === undefined ? undefined : Option.getOrUndefined(flags.userSettings)
    yield* Effect.logDebug(`configuration from files: ${flags.config.join(", ")}${userSettingsFile === undefined ? "" : `; user settings from ${userSettingsFile}`}`)
    return FileConfigSource({ paths: flags.config, userSettingsFile, names: yield* namesOf(flags), templates: flags.templates }).pipe(Layer.provide(NodeServices.layer))
  }
  if (flags.userSettings !== undefined && Option.isSome(flags.userSettings)) {
    return yield* new CliFailure({ text: "--user-settings reads a file: it goes with --config (the cluster source reads the user's ConfigMap)", code: ExitCode.usage })
  }
  const { ClusterConfigSource } = yield* k8sAdapter
  const cluster = yield* clusterOf(flags)
  yield* Effect.logDebug(`configuration from the cluster: ${cluster.server}, namespace ${cluster.namespace}`)
  return ClusterConfigSource(cluster, { watch: false, names: yield* namesOf(flags) })
}))

/** Whether the image catalog is read from the cluster: unless `--imagestreams` names files. */
export const imagesFromCluster = (flags: SourceFlags): boolean => (flags.imageStreams ?? []).length === 0

/**
 * The image catalog: the files `--imagestreams` names, else the cluster's ImageStreams, whichever
 * source the configuration comes from.
 */
export const imageCatalogLayer = (flags: SourceFlags) =>
  imagesFromCluster(flags)
    ? Layer.unwrap(Effect.flatMap(clusterOf(flags), (cluster) => Effect.map(k8sAdapter, ({ ClusterImageCatalog }) => ClusterImageCatalog(cluster))))
    : FileImageCatalog(flags.imageStreams ?? []).pipe(Layer.provide(NodeServices.layer))

/** The store of users' settings written to: ConfigMaps and Secrets in the cluster, whichever source the configuration comes from. */
export const userSettingsStoreLayer = (flags: SourceFlags) =>
  Layer.unwrap(Effect.gen(function*() {
    const { ClusterUserSettingsStore } = yield* k8sAdapter
    return ClusterUserSettingsStore(yield* clusterOf(flags), yield* namesOf(flags))
  }))

/** The configuration, and the store users' settings are read from: the files, or the cluster as it is now. */
export const userSettingsReadLayer = (flags: SourceFlags) =>
  sourceKind(flags) === "cluster"
    ? Layer.merge(configSourceLayer(flags), userSettingsStoreLayer(flags))
    : FileUserSettingsStore.pipe(Layer.provideMerge(configSourceLayer(flags)))

/** The gateway services are deployed through: the cluster (the adapter is loaded only now). */
export const serviceGatewayLayer = (flags: ClusterFlags) =>
  Layer.unwrap(Effect.flatMap(clusterOf(flags), (cluster) => Effect.map(k8sAdapter, ({ ClusterServiceGateway }) => ClusterServiceGateway(cluster))))
