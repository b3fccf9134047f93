import { FileConfigSource } from "@jsp/file-adapter"
import { type Cluster, ClusterConfigSource, ClusterImageCatalog, ClusterUserSettingsStore, loadCluster } from "@jsp/k8s-adapter"
import { NodeServices } from "@effect/platform-node"
import { Effect, Layer, Option, Result } from "effect"
import { CliFailure, ExitCode } from "./failure.ts"

/** The flags that choose a source. */
export interface SourceFlags {
  readonly config: ReadonlyArray<string>
  readonly source: Option.Option<"file" | "cluster">
  readonly namespace: Option.Option<string>
  readonly kubeconfig: Option.Option<string>
  readonly userSettings?: Option.Option<string>
}

/** File when `--config` is given (or `--source file`), else the cluster. */
export const sourceKind = (flags: SourceFlags): "file" | "cluster" =>
  Option.getOrElse(flags.source, () => flags.config.length > 0 ? "file" : "cluster")

/** The cluster the flags point at. */
export const clusterOf = (flags: SourceFlags): Effect.Effect<Cluster, CliFailure> => {
  const cluster = loadCluster({ kubeconfig: Option.getOrUndefined(flags.kubeconfig), namespace: Option.getOrUndefined(flags.namespace) })
  return Result.isSuccess(cluster)
    ? Effect.succeed(cluster.success)
    : Effect.fail(new CliFailure({ text: cluster.failure.message, code: ExitCode.unavailable, cause: cluster.failure }))
}

const clusterOnly = (flags: SourceFlags, what: string): Effect.Effect<Cluster, CliFailure> =>
  sourceKind(flags) === "cluster"
    ? clusterOf(flags)
    : Effect.fail(new CliFailure({ text: `${what} live in the cluster: use --source cluster (with --kubeconfig or KUBECONFIG)`, code: ExitCode.usage }))

/** The ConfigSource for a one-shot command: files, or the cluster's ConfigMaps read once. */
export const configSourceLayer = (flags: SourceFlags) => Layer.unwrap(Effect.gen(function*() {
  if (sourceKind(flags) === "file") {
    if (flags.config.length === 0) {
      return yield* new CliFailure({ text: "no configuration: give --config PATH, or --source cluster", code: ExitCode.usage })
    }
    const userSettingsFile = flags.userSettings === undefined ? undefined : Option.getOrUndefined(flags.userSettings)
    return FileConfigSource({ paths: flags.config, userSettingsFile }).pipe(Layer.provide(NodeServices.layer))
  }
  return ClusterConfigSource(yield* clusterOf(flags), { watch: false })
}))

/** The image catalog: ImageStreams in the cluster. */
export const imageCatalogLayer = (flags: SourceFlags) =>
  Layer.unwrap(Effect.map(clusterOnly(flags, "notebook images (ImageStreams)"), ClusterImageCatalog))

/** The store of users' settings: ConfigMaps and Secrets in the cluster. */
export const userSettingsStoreLayer = (flags: SourceFlags) =>
  Layer.unwrap(Effect.map(clusterOnly(flags, "users' settings"), ClusterUserSettingsStore))
