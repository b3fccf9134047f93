import { ImageCatalog, ServiceGateway, SourceUnavailable } from "@jsp/core"
import { FileConfigSource, FileUserSettingsStore } from "@jsp/file-adapter"
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Layer } from "effect"
import { checkSourceFlags, clusterOf, imageCatalogLayer, imagesFromCluster, k8sAdapter, namesOf, noConfiguration, type SourceFlags, sourceKind } from "./sources.ts"

const filesOnly = (what: string) => new SourceUnavailable({
  source: "files",
  reason: "not-found",
  detail: `${what} need a cluster: jsp serve reads its configuration from files (--config); use --source cluster`
})

// With files, what lives only in a cluster (without --imagestreams: images) is refused, with the reason, rather than faked.
const noImageCatalog = Layer.succeed(ImageCatalog, ImageCatalog.of({ imageStreams: Effect.fail(filesOnly("images (ImageStreams), unless --imagestreams names files,")) }))
const noServiceGateway = Layer.succeed(ServiceGateway, ServiceGateway.of({
  ensureOwner: () => Effect.fail(filesOnly("services")),
  submit: () => Effect.fail(filesOnly("services")),
  read: () => Effect.fail(filesOnly("services")),
  removeOwner: () => Effect.fail(filesOnly("services")),
  dryRun: false
}))

/**
 * Everything `jsp serve` needs, built once at start-up: from a cluster, a watched source (one per
 * process, never per request), the settings store, the image catalog and the services gateway,
 * all over one loaded cluster; from files, the files and what can be read from them.
 */
export const serveLayer = (flags: SourceFlags) => Layer.unwrap(Effect.gen(function*() {
  yield* checkSourceFlags(flags)
  const names = yield* namesOf(flags)
  if (sourceKind(flags) === "file") {
    if (flags.config.length === 0) return yield* noConfiguration
    // Watched: an edit of a file takes effect without a restart, the last good version of each file kept.
    const source = FileConfigSource({ paths: flags.config, names, watch: {} }).pipe(Layer.provide(NodeServices.layer))
    const images = imagesFromCluster(flags) ? noImageCatalog : imageCatalogLayer(flags)
    return Layer.mergeAll(FileUserSettingsStore, images, noServiceGateway).pipe(Layer.provideMerge(source))
  }
  const cluster = yield* clusterOf(flags)
  const adapter = yield* k8sAdapter
  const gateway = adapter.ClusterServiceGateway(cluster)
  return Layer.mergeAll(
    adapter.ClusterConfigSource(cluster, { watch: true, names }),
    adapter.ClusterUserSettingsStore(cluster, names),
    imagesFromCluster(flags) ? adapter.ClusterImageCatalog(cluster) : imageCatalogLayer(flags),
    gateway,
    // A user's services go when their last server pod does (and, at start-up, when it went while jsp was down).
    adapter.ServiceTeardown(cluster).pipe(Layer.provide(gateway))
  )
}))
