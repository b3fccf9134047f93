import { CustomObjectsApi } from "@kubernetes/client-node"
import { ImageCatalog, isJsonObject, type JsonObject, notebookImageLabel } from "@jsp/core"
import { Effect, Layer } from "effect"
import { apiRequest, requestContext } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"

const itemsOf = (list: unknown): ReadonlyArray<JsonObject> => {
  const items = isJsonObject(list) ? list["items"] : undefined
  return Array.isArray(items) ? items.filter(isJsonObject) : []
}

/**
 * `ImageCatalog` over OpenShift ImageStreams (SPEC 8): those labelled
 * `opendatahub.io/notebook-image=true`; when none are, every ImageStream (the core keeps those
 * whose name contains `-notebook`, the legacy convention).
 */
export const ClusterImageCatalog = (cluster: Cluster) => Layer.succeed(ImageCatalog, (() => {
  const api = cluster.kubeConfig.makeApiClient(CustomObjectsApi)
  const list = (labelSelector?: string) =>
    apiRequest(requestContext(cluster, "list", "imagestreams.image.openshift.io"),
      (options) => api.listNamespacedCustomObject({
        group: "image.openshift.io", version: "v1", namespace: cluster.namespace, plural: "imagestreams",
        ...(labelSelector === undefined ? {} : { labelSelector })
      }, options)).pipe(Effect.map(itemsOf))
  return ImageCatalog.of({
    imageStreams: Effect.gen(function*() {
      const labelled = yield* list(`${notebookImageLabel}=true`)
      return labelled.length > 0 ? labelled : yield* list()
    })
  })
})())
