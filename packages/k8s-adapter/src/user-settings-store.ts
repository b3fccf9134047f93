import { CoreV1Api, type V1ConfigMap, type V1Secret } from "@kubernetes/client-node"
import {
  type ConfigMapNames,
  defaultConfigMapNames,
  isJsonObject,
  type JsonObject,
  parseRawDocument,
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
import { apiRequest, apiStatus, attemptRequest, describeApiError, type RequestContext, requestContext } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"

/** Labels jsp puts on the objects it writes for a user. */
const managedLabels = { "app.kubernetes.io/managed-by": "jsp" }

// Writers racing for the same object: each re-reads and re-applies its change, so all survive.
const maxAttempts = 8

interface Stored {
  readonly metadata?: { readonly resourceVersion?: string | undefined; readonly labels?: Record<string, string> | undefined } | undefined
}

/**
 * Reads the object, builds the new one from it, and creates it or replaces it with the
 * resourceVersion it was read at; on 409 (someone else wrote in between) starts over.
 * `build` returns undefined when nothing needs writing.
 */
const readModifyWrite = <T extends Stored>(
  context: RequestContext,
  timeoutMs: number,
  calls: { readonly read: () => Promise<T>; readonly create: (body: T) => Promise<T>; readonly replace: (body: T) => Promise<T> },
  build: (current: T | undefined) => T | undefined
): Effect.Effect<void, SourceUnavailable> => {
  const attempt = (left: number): Effect.Effect<void, unknown> =>
    attemptRequest(timeoutMs, calls.read).pipe(
      Effect.map((current): T | undefined => current),
      Effect.catchIf((e) => apiStatus(e) === 404, () => Effect.succeed(undefined)),
      Effect.flatMap((current) => {
        const body = build(current)
        if (body === undefined) return Effect.void
        return attemptRequest(timeoutMs, () => current === undefined ? calls.create(body) : calls.replace(body))
      }),
      Effect.asVoid,
      Effect.catchIf((e) => apiStatus(e) === 409 && left > 1, () => attempt(left - 1))
    )
  return attempt(maxAttempts).pipe(Effect.mapError((e) => describeApiError(e, context)))
}

const metadataFor = (name: string, current: Stored | undefined) => ({
  name,
  labels: { ...current?.metadata?.labels, ...managedLabels },
  ...(current?.metadata?.resourceVersion === undefined ? {} : { resourceVersion: current.metadata.resourceVersion })
})

const base64 = (text: string): string => Buffer.from(text, "utf8").toString("base64")

/** The Secret keys a settings document refers to. */
const referencedKeys = (document: unknown, secretName: string): ReadonlySet<string> => {
  const env = isJsonObject(document) ? document["env"] : undefined
  const keys = new Set<string>()
  for (const entry of Array.isArray(env) ? env : []) {
    const ref = isJsonObject(entry) && isJsonObject(entry["valueFrom"]) ? entry["valueFrom"]["secretKeyRef"] : undefined
    if (isJsonObject(ref) && ref["name"] === secretName && typeof ref["key"] === "string") keys.add(ref["key"])
  }
  return keys
}

const parseDocument = (name: string, text: string | undefined): JsonObject | undefined => {
  const parsed = text === undefined ? undefined : parseYamlDocuments(name, text)
  const first = parsed !== undefined && Result.isSuccess(parsed) ? parsed.success[0] : undefined
  return isJsonObject(first) ? first : undefined
}

/**
 * `UserSettingsStore` over the per-user ConfigMap (key `profile`) and Secret (password values).
 * A write never leaves the ConfigMap pointing at a missing Secret key: new keys are added to the
 * Secret first, the ConfigMap is written, and only then are keys nothing refers to any more removed.
 */
export const ClusterUserSettingsStore = (cluster: Cluster, names: ConfigMapNames = defaultConfigMapNames) => Layer.succeed(UserSettingsStore, (() => {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api)
  const namespace = cluster.namespace
  const key = names.userSettingsKey
  const timeout = cluster.requestTimeoutMs

  const readConfigMap = (name: string) =>
    apiRequest(requestContext(cluster, "get", "configmaps", name), () => core.readNamespacedConfigMap({ name, namespace }).then(
      (cm): V1ConfigMap | undefined => cm,
      (e: unknown) => apiStatus(e) === 404 ? undefined : Promise.reject(e)
    ))

  const secretCalls = (name: string) => ({
    read: () => core.readNamespacedSecret({ name, namespace }),
    create: (body: V1Secret) => core.createNamespacedSecret({ namespace, body }),
    replace: (body: V1Secret) => core.replaceNamespacedSecret({ name, namespace, body })
  })

  return UserSettingsStore.of({
    read: (user) => Effect.gen(function*() {
      const cm = yield* readConfigMap(userSettingsConfigMapName(user))
      const text = cm?.data?.[key]
      if (cm === undefined || text === undefined) return Option.none<RawDocument>()
      const source = `${namespace}: ConfigMap ${userSettingsConfigMapName(user)} key ${key}`
      return Option.some(yield* Effect.fromResult(parseRawDocument({ source, text })))
    }),

    write: (user, update: UserSettingsUpdate) => Effect.gen(function*() {
      const cmName = userSettingsConfigMapName(user)
      const secretName = userSecretName(user)
      const secretData = renderUserSettings(user, {}, update).secretData
      if (secretData !== undefined && Object.keys(secretData).length > 0) {
        // 1. Add (or update) this write's keys, keeping every other: the ConfigMap in force may still refer to them.
        yield* readModifyWrite<V1Secret>(requestContext(cluster, "update", "secrets", secretName), timeout, secretCalls(secretName), (current) => ({
          metadata: metadataFor(secretName, current),
          type: "Opaque",
          data: { ...current?.data, ...Object.fromEntries(Object.entries(secretData).map(([k, v]) => [k, base64(v)])) }
        }))
      }
      // 2. The document: this write's keys over what is stored; every other key and data entry kept.
      let stored: JsonObject = {}
      yield* readModifyWrite<V1ConfigMap>(requestContext(cluster, "update", "configmaps", cmName), timeout, {
        read: () => core.readNamespacedConfigMap({ name: cmName, namespace }),
        create: (body) => core.createNamespacedConfigMap({ namespace, body }),
        replace: (body) => core.replaceNamespacedConfigMap({ name: cmName, namespace, body })
      }, (current) => {
        // An unreadable document (users edit these) is replaced: no spawn could use it anyway.
        const rendered = renderUserSettings(user, parseDocument(cmName, current?.data?.[key]) ?? {}, update)
        stored = rendered.document
        // YAML 1.1, as the original (PyYAML) reads it: `on`, `no`, `y` stay strings.
        return { metadata: metadataFor(cmName, current), data: { ...current?.data, [key]: stringify(rendered.document, { version: "1.1" }) } }
      })
      if (secretData === undefined) return stored
      // 3. Remove the keys the document as it is now no longer refers to (and restore this write's,
      //    should a racing write have removed them while its own document was in force).
      const now = yield* readConfigMap(cmName)
      const referenced = referencedKeys(parseDocument(cmName, now?.data?.[key]), secretName)
      yield* readModifyWrite<V1Secret>(requestContext(cluster, "update", "secrets", secretName), timeout, secretCalls(secretName), (current) => {
        if (current === undefined && referenced.size === 0) return undefined
        const data: Record<string, string> = {}
        for (const k of referenced) {
          const value = current?.data?.[k] ?? (secretData[k] === undefined ? undefined : base64(secretData[k]))
          if (value !== undefined) data[k] = value
        }
        const unchanged = current !== undefined && JSON.stringify(Object.entries(current.data ?? {}).sort()) === JSON.stringify(Object.entries(data).sort())
        return unchanged ? undefined : { metadata: metadataFor(secretName, current), type: "Opaque", data }
      })
      return stored
    })
  })
})())
