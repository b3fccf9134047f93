import { type ConfigMapNames, defaultConfigMapNames } from "@jsp/core"
import { FileConfigSource } from "@jsp/file-adapter"
import type { Cluster } from "@jsp/k8s-adapter"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Layer, Option, Result } from "effect"
import { CliFailure, ExitCode } from "./failure.ts"

// The cluster adapter (with @kubernetes/client-node, ~870 modules) is loaded only when the cluster is used.
const k8sAdapter = Effect.promise(() => import("@jsp/k8s-adapter"))

/** The flags that choose a source. */
export interface SourceFlags {
  readonly config: ReadonlyArray<string>
  readonly source: Option.Option<"file" | "cluster">
  readonly namespace: Option.Option<string>
  readonly kubeconfig: Option.Option<string>
  readonly server: Option.Option<string>
  readonly token: Option.Option<string>
  readonly configMap: string
  readonly configMapLabel: string
  readonly configMapKey: string
  readonly userSettings?: Option.Option<string>
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

const usage = (text: string) => Effect.fail(new CliFailure({ text, code: ExitCode.usage }))

/** The cluster the flags point at. */
export const clusterOf = (flags: SourceFlags): Effect.Effect<Cluster, CliFailure> => {
  if (Option.isSome(flags.server) !== Option.isSome(flags.token)) return usage("--server and --token go together")
  if (Option.isSome(flags.server) && Option.isSome(flags.kubeconfig)) return usage("give either --kubeconfig or --server with --token, not both")
  return Effect.flatMap(k8sAdapter, ({ loadCluster }) => {
    const cluster = loadCluster({
      kubeconfig: Option.getOrUndefined(flags.kubeconfig),
      namespace: Option.getOrUndefined(flags.namespace),
      server: Option.getOrUndefined(flags.server),
      token: Option.getOrUndefined(flags.token)
    })
    return Result.isSuccess(cluster)
      ? Effect.succeed(cluster.success)
      : Effect.fail(new CliFailure({ text: cluster.failure.message, code: ExitCode.unavailable, cause: cluster.failure }))
  })
}


/** The ConfigSource for a one-shot command: files, or the cluster's ConfigMaps read once. */
export const configSourceLayer = (flags: SourceFlags) => Layer.unwrap(Effect.gen(function*() {
  if (sourceKind(flags) === "file") {
    if (flags.config.length === 0) {
      return yield* new CliFailure({ text: "no configuration: give --config PATH, or --source cluster", code: ExitCode.usage })
    }
    const userSettingsFile = flags.userSettings === undefined ? undefined : Option.getOrUndefined(flags.userSettings)
    return FileConfigSource({ paths: flags.config, userSettingsFile, names: yield* namesOf(flags) }).pipe(Layer.provide(NodeServices.layer))
  }
  if (flags.userSettings !== undefined && Option.isSome(flags.userSettings)) {
    return yield* new CliFailure({ text: "--user-settings reads a file: it goes with --config (the cluster source reads the user's ConfigMap)", code: ExitCode.usage })
  }
  const { ClusterConfigSource } = yield* k8sAdapter
  return ClusterConfigSource(yield* clusterOf(flags), { watch: false, names: yield* namesOf(flags) })
}))

/** The image catalog: ImageStreams in the cluster, whichever source the configuration comes from. */
export const imageCatalogLayer = (flags: SourceFlags) => Layer.unwrap(Effect.flatMap(clusterOf(flags), (cluster) => Effect.map(k8sAdapter, ({ ClusterImageCatalog }) => ClusterImageCatalog(cluster))))

/** The store of users' settings: ConfigMaps and Secrets in the cluster, whichever source the configuration comes from. */
export const userSettingsStoreLayer = (flags: SourceFlags) =>
  Layer.unwrap(Effect.gen(function*() {
    const { ClusterUserSettingsStore } = yield* k8sAdapter
    return ClusterUserSettingsStore(yield* clusterOf(flags), yield* namesOf(flags))
  }))
