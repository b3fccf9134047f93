import { CoreV1Api, type V1ConfigMap, type V1ObjectMeta, type V1Secret } from "@kubernetes/client-node"
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
import { apiStatus, type CallOptions, describeApiError, type RequestFailed, requestContext, requestWithRetries } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"

/** Labels jsp puts on the objects it writes for a user. */
const managedLabels = { "app.kubernetes.io/managed-by": "jsp" }

// Writers racing for the same object: each re-reads and re-applies its change, so all survive.
const maxAttempts = 8

interface Calls<T> {
  readonly read: (options: CallOptions) => Promise<T>
  readonly create: (body: T, options: CallOptions) => Promise<T>
  readonly replace: (body: T, options: CallOptions) => Promise<T>
}

/** A read where 404 is an answer (nothing stored yet), retried like any read. */
const readOrMissing = <T>(timeoutMs: number, read: (options: CallOptions) => Promise<T>): Effect.Effect<T | undefined, RequestFailed> =>
  requestWithRetries(timeoutMs, (options) => read(options).catch((error: unknown): T | undefined => {
    if (apiStatus(error) === 404) return undefined
    throw error
  }))

/**
 * Reads the object, builds the new one from it, and creates it or replaces it with the
 * resourceVersion it was read at; on 409 (someone else wrote in between) starts over. Each
 * failure names the call that failed (get, create, update), so a 403 names the missing verb.
 * `build` returns undefined when nothing needs writing.
 */
const readModifyWrite = <T>(
  cluster: Cluster,
  resource: string,
  name: string,
  calls: Calls<T>,
  build: (current: T | undefined) => T | undefined
): Effect.Effect<void, SourceUnavailable> => {
  const timeout = cluster.requestTimeoutMs
  const read = readOrMissing(timeout, calls.read).pipe(Effect.mapError((failed) => ({ ...failed, verb: "get" })))
  const attempt = (left: number): Effect.Effect<void, RequestFailed & { readonly verb: string }> =>
    read.pipe(
      Effect.flatMap((current) => {
        const body = build(current)
        if (body === undefined) return Effect.void
        const verb = current === undefined ? "create" : "update"
        // A write is tried once: after a timeout it may or may not have happened.
        return requestWithRetries(timeout, (options) => current === undefined ? calls.create(body, options) : calls.replace(body, options), { retry: false }).pipe(
          Effect.asVoid, Effect.mapError((failed) => ({ ...failed, verb })))
      }),
      Effect.catchIf(({ error }) => apiStatus(error) === 409 && left > 1, () => attempt(left - 1))
    )
  return attempt(maxAttempts).pipe(Effect.mapError((failed) => describeApiError(failed.error, requestContext(cluster, failed.verb, resource, name), failed)))
}

// Everything else about the object is kept: annotations, owner references, other data.
const withMetadata = (current: { readonly metadata?: V1ObjectMeta } | undefined, name: string): V1ObjectMeta => ({
  ...current?.metadata,
  name,
  labels: { ...current?.metadata?.labels, ...managedLabels }
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
 * The ConfigMap never points at a missing Secret key: this write's keys are added to the Secret
 * first; after the ConfigMap is written, only the keys this write stopped referring to are
 * removed, and only if the ConfigMap as it is then does not refer to them either.
 */
export const ClusterUserSettingsStore = (cluster: Cluster, names: ConfigMapNames = defaultConfigMapNames) => Layer.succeed(UserSettingsStore, (() => {
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api)
  const namespace = cluster.namespace
  const key = names.userSettingsKey

  const configMapCalls = (name: string): Calls<V1ConfigMap> => ({
    read: (options) => core.readNamespacedConfigMap({ name, namespace }, options),
    create: (body, options) => core.createNamespacedConfigMap({ namespace, body }, options),
    replace: (body, options) => core.replaceNamespacedConfigMap({ name, namespace, body }, options)
  })
  const secretCalls = (name: string): Calls<V1Secret> => ({
    read: (options) => core.readNamespacedSecret({ name, namespace }, options),
    create: (body, options) => core.createNamespacedSecret({ namespace, body }, options),
    replace: (body, options) => core.replaceNamespacedSecret({ name, namespace, body }, options)
  })
  const readConfigMap = (name: string) => readOrMissing(cluster.requestTimeoutMs, configMapCalls(name).read).pipe(
    Effect.mapError((failed) => describeApiError(failed.error, requestContext(cluster, "get", "configmaps", name), failed)))

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
      const secretData = renderUserSettings(user, {}, update).secretData ?? {}
      if (Object.keys(secretData).length > 0) {
        // 1. This write's keys added, every other kept: the ConfigMap in force may refer to them.
        yield* readModifyWrite<V1Secret>(cluster, "secrets", secretName, secretCalls(secretName), (current) => ({
          ...current,
          metadata: withMetadata(current, secretName),
          type: current?.type ?? "Opaque",
          data: { ...current?.data, ...Object.fromEntries(Object.entries(secretData).map(([k, v]) => [k, base64(v)])) }
        }))
      }
      // 2. The document: this write's keys over what is stored, every other key kept. What the
      //    replaced document referred to and the new one does not is what step 3 may remove.
      let stored: JsonObject = {}
      let dropped: ReadonlySet<string> = new Set()
      yield* readModifyWrite<V1ConfigMap>(cluster, "configmaps", cmName, configMapCalls(cmName), (current) => {
        // An unreadable document (users edit these) is replaced: no spawn could use it anyway.
        const before = parseDocument(cmName, current?.data?.[key]) ?? {}
        const rendered = renderUserSettings(user, before, update)
        stored = rendered.document
        const now = referencedKeys(rendered.document, secretName)
        dropped = new Set([...referencedKeys(before, secretName)].filter((k) => !now.has(k)))
        // JSON is YAML that every reader (PyYAML's 1.1, this project's 1.2) takes the same way.
        return { ...current, metadata: withMetadata(current, cmName), data: { ...current?.data, [key]: `${JSON.stringify(rendered.document, null, 2)}\n` } }
      })
      if (dropped.size === 0) return stored
      // 3. Remove those keys, unless the ConfigMap as it is now refers to them again (another write).
      const prune = Effect.gen(function*() {
        const cm = yield* readConfigMap(cmName)
        const referenced = referencedKeys(parseDocument(cmName, cm?.data?.[key]), secretName)
        const removable = [...dropped].filter((k) => !referenced.has(k))
        if (removable.length === 0) return
        yield* readModifyWrite<V1Secret>(cluster, "secrets", secretName, secretCalls(secretName), (current) => {
          if (current === undefined || !removable.some((k) => current.data?.[k] !== undefined)) return undefined
          const data = Object.fromEntries(Object.entries(current.data ?? {}).filter(([k]) => !removable.includes(k)))
          return { ...current, metadata: withMetadata(current, secretName), data }
        })
      })
      yield* prune
      return stored
    })
  })
})())
