import { AsyncLocalStorage } from "node:async_hooks"
import {
  createConfiguration,
  type KubernetesObject,
  KubernetesObjectApi,
  Observable,
  type ObservableMiddleware,
  ServerConfiguration
} from "@kubernetes/client-node"
import { type KubeObject, type OwnerReference, serviceOwnerObject, ServiceGateway, SourceUnavailable } from "@jsp/core"
import { Effect, Layer, Option } from "effect"
import { apiStatus, type CallOptions, describeApiError, type RequestFailed, requestContext, requestWithRetries } from "./api-errors.ts"
import type { Cluster } from "./cluster.ts"

// Replaces racing another writer: each re-reads the resourceVersion and tries again, this often.
const maxReplaceAttempts = 8

/**
 * KubernetesObjectApi ignores per-call middleware, so the abort signal and the connection handling
 * of each try (`requestWithRetries`' options) are forwarded through this middleware, which reads
 * the current call's options from async-local storage.
 */
const callStorage = new AsyncLocalStorage<CallOptions>()

const delegate: ObservableMiddleware = {
  pre: (context) => {
    const middleware = callStorage.getStore()?.middleware ?? []
    return new Observable(middleware.reduce((previous, m) => previous.then((c) => m.pre(c).toPromise()), Promise.resolve(context)))
  },
  post: (response) => {
    const middleware = callStorage.getStore()?.middleware ?? []
    return new Observable(middleware.reduce((previous, m) => previous.then((r) => m.post(r).toPromise()), Promise.resolve(response)))
  }
}

const objectApi = (cluster: Cluster): KubernetesObjectApi => {
  const current = cluster.kubeConfig.getCurrentCluster()
  if (current === null) throw new Error("No active cluster!")
  return new KubernetesObjectApi(createConfiguration({
    baseServer: new ServerConfiguration(current.server, {}),
    authMethods: { default: cluster.kubeConfig },
    middleware: [delegate]
  }))
}

// Built-in kinds come back as typed objects with Date fields: plain JSON for the core.
const plain = (object: unknown): KubeObject => JSON.parse(JSON.stringify(object)) as KubeObject

const isUnservedKind = (error: unknown): boolean =>
  (error instanceof Error && /Unrecognized API version and kind/iu.test(error.message)) ||
  (apiStatus(error) === 404 && error instanceof Error && /Failed to fetch resource metadata/iu.test(`${error.message} ${String(Reflect.get(error, "body"))}`))

const isAlreadyExists = (error: unknown): boolean => apiStatus(error) === 409 && /AlreadyExists|already exists/iu.test(bodyText(error))
const bodyText = (error: unknown): string => {
  const body: unknown = typeof error === "object" && error !== null ? Reflect.get(error, "body") : undefined
  return typeof body === "string" ? body : error instanceof Error ? error.message : String(error)
}

/** The per-user services' objects in the cluster's namespace (SPEC 7). */
export const ClusterServiceGateway = (cluster: Cluster): Layer.Layer<ServiceGateway> => Layer.sync(ServiceGateway, () => {
  const api = objectApi(cluster)
  const namespace = cluster.namespace
  const timeout = cluster.requestTimeoutMs
  const call = <A>(request: () => Promise<A>, retry: boolean): Effect.Effect<A, RequestFailed> =>
    requestWithRetries(timeout, (options) => callStorage.run(options, request), { retry })
  const resourceOf = (object: { readonly apiVersion?: string | undefined; readonly kind?: string | undefined }) =>
    `${object.kind ?? "?"}${object.apiVersion === undefined ? "" : ` (${object.apiVersion})`}`
  const fail = (verb: string, object: KubernetesObject) => (failed: RequestFailed): SourceUnavailable => {
    const name = object.metadata?.name
    if (isUnservedKind(failed.error)) {
      return new SourceUnavailable({
        source: `cluster ${cluster.server} namespace ${namespace}`,
        reason: "not-found",
        detail: `the cluster does not serve ${object.kind ?? "?"} (${object.apiVersion ?? "?"}); ${verb} ${name ?? ""} not possible`.trim(),
        verb,
        resource: resourceOf(object),
        ...(name === undefined ? {} : { name })
      })
    }
    return describeApiError(failed.error, requestContext(cluster, verb, resourceOf(object), name), failed)
  }
  const header = (object: KubeObject): KubernetesObject => {
    const spec = plain(object) as KubernetesObject
    return { ...spec, metadata: { ...spec.metadata, namespace } }
  }
  const readRaw = (object: KubernetesObject): Effect.Effect<KubernetesObject | undefined, RequestFailed> =>
    call(() => api.read({ apiVersion: object.apiVersion ?? "", kind: object.kind ?? "", metadata: { name: object.metadata?.name ?? "", namespace } })
      .catch((error: unknown): undefined => {
        if (apiStatus(error) === 404 && !isUnservedKind(error)) return undefined
        throw error
      }), true)

  // Conflict on every try: someone else keeps changing the object; say so rather than a bare 409.
  const stillConflicting = (error: SourceUnavailable, tries: number): SourceUnavailable =>
    new SourceUnavailable({ ...error, detail: `${error.detail}; still in conflict after ${tries} replaces, each with the resourceVersion read just before it (another writer keeps changing the object)` })

  // Get the stored resourceVersion, replace; on Conflict (another writer in between) again.
  const replace = (object: KubernetesObject, left: number, tried = 0): Effect.Effect<KubernetesObject, SourceUnavailable> =>
    readRaw(object).pipe(
      Effect.mapError(fail("get", object)),
      Effect.flatMap((stored) => stored === undefined
        ? create(object, left - 1)
        : call(() => api.replace({ ...object, metadata: { ...object.metadata, resourceVersion: stored.metadata?.resourceVersion ?? "" } }), false).pipe(
          Effect.catch((failed) => {
            if (apiStatus(failed.error) !== 409) return Effect.fail(fail("update", object)(failed))
            return left > 1 ? replace(object, left - 1, tried + 1) : Effect.fail(stillConflicting(fail("update", object)(failed), tried + 1))
          })))
    )
  // 500/429/no answer are retried; a retry finding the object (409 AlreadyExists) replaces it.
  const create = (object: KubernetesObject, left: number): Effect.Effect<KubernetesObject, SourceUnavailable> =>
    call(() => api.create(object), true).pipe(
      Effect.catch((failed) => isAlreadyExists(failed.error) && left > 1 ? replace(object, left - 1) : Effect.fail(fail("create", object)(failed))))

  const ownerConfigMap = (user: string): KubernetesObject => header(serviceOwnerObject(user))
  const reference = (object: KubernetesObject): OwnerReference => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    name: object.metadata?.name ?? "",
    uid: object.metadata?.uid ?? ""
  })

  const ensureOwner = (user: string): Effect.Effect<OwnerReference, SourceUnavailable> => {
    const owner = ownerConfigMap(user)
    return readRaw(owner).pipe(
      Effect.mapError(fail("get", owner)),
      Effect.flatMap((stored) => stored !== undefined
        ? Effect.succeed(reference(stored))
        : call(() => api.create(owner), true).pipe(
          // Another spawn created it first: take theirs.
          Effect.catchIf((failed) => apiStatus(failed.error) === 409, () => readRaw(owner).pipe(
            Effect.flatMap((again) => again === undefined ? Effect.fail({ error: new Error("created, then gone"), tries: 1, elapsedMs: 0 }) : Effect.succeed(again)))),
          Effect.map(reference),
          Effect.mapError(fail("create", owner))))
    )
  }

  return ServiceGateway.of({
    dryRun: false,
    ensureOwner,
    submit: (object) => create(header(object), maxReplaceAttempts).pipe(Effect.map(plain)),
    read: (object) => {
      const spec = header(object)
      return readRaw(spec).pipe(Effect.mapError(fail("get", spec)), Effect.map((stored) => stored === undefined ? Option.none() : Option.some(plain(stored))))
    },
    removeOwner: (user) => {
      const owner = ownerConfigMap(user)
      return call(() => api.delete(owner, undefined, undefined, undefined, undefined, "Background").then(() => undefined, (error: unknown) => {
        if (apiStatus(error) === 404) return undefined
        throw error
      }), false).pipe(Effect.mapError(fail("delete", owner)))
    }
  })
})
