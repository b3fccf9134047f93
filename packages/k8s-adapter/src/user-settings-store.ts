import { CoreV1Api, type V1ConfigMap, type V1Secret } from "@kubernetes/client-node"
import {
  defaultConfigMapNames,
  type JsonObject,
  parseYamlDocuments,
  type RawDocument,
  renderUserSettings,
  type SourceUnavailable,
  type UserSettingsUpdate,
  UserSettingsStore,
  userSecretName,
  userSettingsConfigMapName
} from "@jsp/core"
import { Effect, Layer, Option, Result } from "effect"
import { stringify } from "yaml"
import { apiRequest, apiStatus, describeApiError, type RequestContext, requestContext } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"

/** Labels jsp puts on the objects it writes for a user. */
const managedLabels = { "app.kubernetes.io/managed-by": "jsp" }

// Two writes racing for the same object: each re-reads and re-applies its update, so both survive.
const maxAttempts = 8

const isJsonRecord = (v: unknown): v is JsonObject => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * Creates the object, or replaces it with the resourceVersion it was read at; on 409 (someone
 * else wrote in between) reads again and re-applies. `build` makes the new object from the current one.
 */
const createOrReplace = <T>(
  context: RequestContext,
  read: () => Promise<T>,
  create: (body: T) => Promise<T>,
  replace: (body: T) => Promise<T>,
  build: (current: T | undefined) => T
): Effect.Effect<T, SourceUnavailable> => {
  const attempt = (left: number): Effect.Effect<T, unknown> =>
    Effect.tryPromise({ try: read, catch: (e) => e }).pipe(
      Effect.map((current): T | undefined => current),
      Effect.catchIf((e) => apiStatus(e) === 404, () => Effect.succeed(undefined)),
      Effect.flatMap((current) => Effect.tryPromise({
        try: () => current === undefined ? create(build(undefined)) : replace(build(current)),
        catch: (e) => e
      })),
      Effect.catchIf((e) => apiStatus(e) === 409 && left > 1, () => attempt(left - 1))
    )
  return attempt(maxAttempts).pipe(Effect.mapError((e) => describeApiError(e, context)))
}

/** `UserSettingsStore` over the per-user ConfigMap (key `profile`) and Secret (password values). */
export const ClusterUserSettingsStore = (cluster: Cluster) => Layer.succeed(UserSettingsStore, (() => {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api)
  const namespace = cluster.namespace
  const key = defaultConfigMapNames.userSettingsKey

  const read = (user: string) => {
    const name = userSettingsConfigMapName(user)
    return apiRequest(requestContext(cluster, "get", "configmaps", name), () => core.readNamespacedConfigMap({ name, namespace }).then(
      (cm): V1ConfigMap | undefined => cm,
      (e: unknown) => apiStatus(e) === 404 ? undefined : Promise.reject(e)
    ))
  }

  return UserSettingsStore.of({
    read: (user) => Effect.gen(function*() {
      const cm = yield* read(user)
      const text = cm?.data?.[key]
      if (cm === undefined || text === undefined) return Option.none<RawDocument>()
      const source = `${namespace}: ConfigMap ${userSettingsConfigMapName(user)} key ${key}`
      const parsed = yield* Effect.fromResult(parseYamlDocuments(source, text))
      return Option.some<RawDocument>({ source, content: parsed[0] })
    }),

    write: (user, update: UserSettingsUpdate) => Effect.gen(function*() {
      const cmName = userSettingsConfigMapName(user)
      const secretName = userSecretName(user)
      // The Secret first: a pod started in between must not reference a key that does not exist yet.
      const secretData = renderUserSettings(user, {}, update).secretData
      if (secretData !== undefined) {
        yield* createOrReplace<V1Secret>(
          requestContext(cluster, "update", "secrets", secretName),
          () => core.readNamespacedSecret({ name: secretName, namespace }),
          (body) => core.createNamespacedSecret({ namespace, body }),
          (body) => core.replaceNamespacedSecret({ name: secretName, namespace, body }),
          (current) => ({
            metadata: {
              name: secretName,
              labels: { ...current?.metadata?.labels, ...managedLabels },
              ...(current?.metadata?.resourceVersion === undefined ? {} : { resourceVersion: current.metadata.resourceVersion })
            },
            type: "Opaque",
            data: Object.fromEntries(Object.entries(secretData).map(([k, v]) => [k, Buffer.from(v, "utf8").toString("base64")]))
          })
        )
      }
      // What the last (successful) attempt wrote.
      let stored: JsonObject = {}
      yield* createOrReplace<V1ConfigMap>(
        requestContext(cluster, "update", "configmaps", cmName),
        () => core.readNamespacedConfigMap({ name: cmName, namespace }),
        (body) => core.createNamespacedConfigMap({ namespace, body }),
        (body) => core.replaceNamespacedConfigMap({ name: cmName, namespace, body }),
        (current) => {
          // An unreadable document (users edit these) is replaced: it could not be used anyway.
          const parsed = current?.data?.[key] === undefined ? undefined : parseYamlDocuments(cmName, current.data[key])
          const existing = parsed !== undefined && Result.isSuccess(parsed) && isJsonRecord(parsed.success[0]) ? parsed.success[0] : {}
          const rendered = renderUserSettings(user, existing, update)
          stored = rendered.document
          return {
            metadata: {
              name: cmName,
              labels: { ...current?.metadata?.labels, ...managedLabels },
              ...(current?.metadata?.resourceVersion === undefined ? {} : { resourceVersion: current.metadata.resourceVersion })
            },
            data: { ...current?.data, [key]: stringify(rendered.document) }
          }
        }
      )
      return stored
    })
  })
})())
