import { CoreV1Api } from "@kubernetes/client-node"
import { isJsonObject, managedByLabel, podUsername, ServiceGateway, serviceOwnerUserAnnotation } from "@jsp/core"
import { Effect, Layer } from "effect"
import { attemptRequest, describeApiError, requestContext } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"
import { FirstSyncFailed, watchCollection, type WatchOptions, watchTimingsOf } from "./watcher.ts"

/** The label KubeSpawner puts on every single-user pod. */
export const singleUserPodSelector = "component=singleuser-server"

/** Options of the teardown of services. */
export interface ServiceTeardownOptions extends WatchOptions {
  /**
   * At start-up, a reference ConfigMap younger than this is left alone even when its user has no
   * pod: the hub's `pre_spawn_hook` deploys services before the pod exists. Default 5 minutes.
   */
  readonly startupGraceMs?: number
}

const podName = (pod: unknown): string => {
  const name = isJsonObject(pod) && isJsonObject(pod["metadata"]) ? pod["metadata"]["name"] : undefined
  return typeof name === "string" ? name : ""
}

/**
 * Tears a user's services down when their last single-user pod is gone (SPEC 7: services live as
 * long as the server): watches the namespace's pods labelled `component=singleuser-server`, and
 * when the last pod annotated with a user is deleted, deletes the user's reference ConfigMap
 * (garbage collection removes what it owns). At start-up, reference ConfigMaps of users without
 * a pod — their pods were deleted while jsp was down — are deleted too, once older than the grace.
 */
export const ServiceTeardown = (cluster: Cluster, options: ServiceTeardownOptions = {}) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const gateway = yield* ServiceGateway
    const context = yield* Effect.context<never>()
    const run = Effect.runForkWith(context)
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api)
    const pods = new Map<string, string>()
    const hasPod = (user: string) => [...pods.values()].includes(user)
    const teardown = (user: string, why: string) => run(gateway.removeOwner(user).pipe(
      Effect.tap(() => Effect.logInfo(`services of ${user} torn down: ${why}`)),
      Effect.catch((error) => Effect.logWarning(`services of ${user} not torn down (${why}): ${error.message}`))))
    const report = (level: "info" | "warning", message: string) => run(level === "info" ? Effect.logInfo(message) : Effect.logWarning(message))

    const running = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => watchCollection(cluster, {
          what: "single-user pods",
          resource: "pods",
          path: `/api/v1/namespaces/${encodeURIComponent(cluster.namespace)}/pods`,
          labelSelector: singleUserPodSelector,
          list: (callOptions) => core.listNamespacedPod({ namespace: cluster.namespace, labelSelector: singleUserPodSelector }, callOptions),
          replaceAll: (items) => {
            const before = new Set(pods.values())
            pods.clear()
            for (const pod of items) {
              const user = podUsername(pod)
              if (user !== undefined) pods.set(podName(pod), user)
            }
            // Deletions missed while the watch was down (a relist after 410).
            for (const user of before) if (!hasPod(user)) teardown(user, "their last server pod is gone")
          },
          upsert: (pod) => {
            const user = podUsername(pod)
            if (user !== undefined) pods.set(podName(pod), user)
          },
          remove: (pod) => {
            const user = pods.get(podName(pod)) ?? podUsername(pod)
            pods.delete(podName(pod))
            if (user !== undefined && !hasPod(user)) teardown(user, "their last server pod was deleted")
          }
        }, report, watchTimingsOf(options)),
        catch: (error) => {
          const failed = error instanceof FirstSyncFailed ? error : new FirstSyncFailed(error, "list")
          return describeApiError(failed.error, requestContext(cluster, failed.verb, "pods"))
        }
      }),
      (watch) => Effect.promise(() => watch.stop())
    )

    // Pods deleted while jsp was down: reference ConfigMaps whose user has no pod any more.
    const owners = yield* attemptRequest(cluster.requestTimeoutMs, (callOptions) =>
      core.listNamespacedConfigMap({ namespace: cluster.namespace, labelSelector: `${managedByLabel}=jsp` }, callOptions)).pipe(
      Effect.mapError((error) => describeApiError(error, requestContext(cluster, "list", "configmaps"))))
    const grace = options.startupGraceMs ?? 5 * 60_000
    for (const owner of owners.items) {
      const user = owner.metadata?.annotations?.[serviceOwnerUserAnnotation]
      const created = owner.metadata?.creationTimestamp
      const age = created === undefined ? Number.POSITIVE_INFINITY : Date.now() - new Date(created).getTime()
      if (user !== undefined && !hasPod(user) && age >= grace) teardown(user, "no server pod of theirs at start-up")
    }
    return running
  }))
