import { Result } from "effect"
import { formatPath } from "./decode.ts"
import { InvalidDocument, RequestAboveLimit } from "./errors.ts"
import type { GpuMode } from "./gpu.ts"
import { appendDistinct, isJsonArray, isJsonObject, type Json, type JsonObject } from "./json.ts"
import type { MergedProfile, Sourced } from "./merge.ts"
import { toLabelValue } from "./names.ts"
import { compareQuantities, parseQuantity, quantityToInteger } from "./quantity.ts"
import { defaultMountPath, toPodVolume } from "./volumes.ts"

/** The label that names the pod's user (escaped to a valid label value). */
export const userLabel = "jupyterhub.opendatahub.io/user"
/** The annotation listing what was applied, in order, as a JSON array. */
export const appliedProfilesAnnotation = "jsp.opendatahub.io/applied-profiles"
/** The annotation KubeSpawner puts the raw user name in. */
export const usernameAnnotation = "hub.jupyter.org/username"
/** The annotation holding the user's JupyterHub groups (JSON list or comma-separated). */
export const groupsAnnotation = "jsp.opendatahub.io/groups"

/** Options of the pod transform beyond the merged profile. */
export interface PodOptions {
  readonly user: string
  readonly gpuMode?: GpuMode
  readonly defaultMountPath?: string
}

// A pod is never decoded through a closed schema: these read the parts the transform touches
// and fail with the path of the first part that is not what Kubernetes allows.
type Read<A> = Result.Result<A, InvalidDocument>
const podSource = "pod"
const invalid = (path: ReadonlyArray<PropertyKey>, message: string): InvalidDocument =>
  new InvalidDocument({ source: podSource, problems: [{ path: formatPath(path), message }] })

const objectAt = (parent: JsonObject, key: string, path: ReadonlyArray<PropertyKey>): Read<JsonObject> => {
  const value = parent[key]
  if (value === undefined || value === null) return Result.succeed({})
  return isJsonObject(value) ? Result.succeed(value) : Result.fail(invalid([...path, key], `expected an object, got ${JSON.stringify(value)}`))
}

const arrayAt = (parent: JsonObject, key: string, path: ReadonlyArray<PropertyKey>): Read<ReadonlyArray<Json>> => {
  const value = parent[key]
  if (value === undefined || value === null) return Result.succeed([])
  return isJsonArray(value) ? Result.succeed(value) : Result.fail(invalid([...path, key], `expected an array, got ${JSON.stringify(value)}`))
}

// Named entries (env, volumes, volumeMounts): each must be an object with a string name.
const namedAt = (parent: JsonObject, key: string, path: ReadonlyArray<PropertyKey>): Read<ReadonlyArray<JsonObject>> =>
  Result.flatMap(arrayAt(parent, key, path), (items) => {
    const bad = items.findIndex((item) => !isJsonObject(item) || typeof item["name"] !== "string")
    return bad === -1
      ? Result.succeed(items.filter(isJsonObject))
      : Result.fail(invalid([...path, key, bad], "expected an object with a string name"))
  })

const quantitiesAt = (parent: JsonObject, key: string, path: ReadonlyArray<PropertyKey>): Read<Readonly<Record<string, string>>> =>
  Result.flatMap(objectAt(parent, key, path), (list) => {
    const result: Record<string, string> = {}
    for (const [name, value] of Object.entries(list)) {
      const text = typeof value === "number" ? String(value) : value
      if (typeof text !== "string" || parseQuantity(text) === undefined) {
        return Result.fail(invalid([...path, key, name], `expected a Kubernetes quantity, got ${JSON.stringify(value)}`))
      }
      result[name] = text
    }
    return Result.succeed(result)
  })

const replaceNamed = (existing: ReadonlyArray<JsonObject>, added: ReadonlyArray<JsonObject>): ReadonlyArray<JsonObject> => {
  const result = [...existing]
  for (const item of added) {
    const at = result.findIndex((e) => e["name"] === item["name"])
    if (at === -1) result.push(item)
    else result[at] = item
  }
  return result
}

const mergeQuantities = (existing: Readonly<Record<string, string>>, added: Readonly<Record<string, Sourced<string>>>) => {
  const result: Record<string, string> = { ...existing }
  for (const [name, { value }] of Object.entries(added)) result[name] = value
  return result
}

const checkRequestsWithinLimits = (
  container: string,
  requests: Readonly<Record<string, string>>,
  limits: Readonly<Record<string, string>>,
  merged: MergedProfile
): Result.Result<void, RequestAboveLimit> => {
  for (const [resource, request] of Object.entries(requests)) {
    const limit = limits[resource]
    if (limit === undefined) continue
    const requested = parseQuantity(request)
    const allowed = parseQuantity(limit)
    if (requested !== undefined && allowed !== undefined && compareQuantities(requested, allowed) > 0) {
      return Result.fail(new RequestAboveLimit({
        container, resource, request, limit,
        requestFrom: merged.resources.requests[resource]?.from ?? "the pod",
        limitFrom: merged.resources.limits[resource]?.from ?? "the pod"
      }))
    }
  }
  return Result.succeed(undefined)
}

const securityContextFor = (existing: JsonObject, mode: GpuMode): JsonObject => {
  if (mode === "privileged") return { ...existing, privileged: true }
  const capabilities = isJsonObject(existing["capabilities"]) ? existing["capabilities"] : {}
  const drop = isJsonArray(capabilities["drop"]) ? capabilities["drop"] : []
  const seLinuxOptions = isJsonObject(existing["seLinuxOptions"]) ? existing["seLinuxOptions"] : {}
  return {
    ...existing,
    capabilities: { ...capabilities, drop: appendDistinct(drop, ["ALL"]) },
    seLinuxOptions: { ...seLinuxOptions, type: "nvidia_container_t" }
  }
}

const setEnv = (env: ReadonlyArray<JsonObject>, name: string, value: string): ReadonlyArray<JsonObject> =>
  replaceNamed(env, [{ name, value }])

/** Index of the notebook container: the one named `notebook`, else the first (SPEC 5). */
export const notebookContainerIndex = (containers: ReadonlyArray<Json>): number => {
  const named = containers.findIndex((c) => isJsonObject(c) && c["name"] === "notebook")
  return named === -1 ? 0 : named
}

/**
 * Applies a merged profile to a pod (SPEC 5): a new pod with the user label, env, resources,
 * tolerations, affinity, GPU security context, volumes and applied-profiles annotation; every
 * other field exactly as it was. Applying the result again changes nothing.
 */
export const applyToPod = (
  pod: unknown,
  merged: MergedProfile,
  options: PodOptions
): Result.Result<JsonObject, InvalidDocument | RequestAboveLimit> => Result.gen(function*() {
  if (!isJsonObject(pod)) return yield* Result.fail(invalid([], "expected a Pod object"))
  const metadata = yield* objectAt(pod, "metadata", [])
  const labels = yield* objectAt(metadata, "labels", ["metadata"])
  const annotations = yield* objectAt(metadata, "annotations", ["metadata"])
  if (!isJsonObject(pod["spec"])) return yield* Result.fail(invalid(["spec"], "expected the pod spec"))
  const spec = pod["spec"]
  const containers = yield* arrayAt(spec, "containers", ["spec"])
  if (containers.length === 0) return yield* Result.fail(invalid(["spec", "containers"], "expected at least one container"))
  const notebookIndex = notebookContainerIndex(containers)

  const newContainers: Array<JsonObject> = []
  for (const [index, container] of containers.entries()) {
    const path = ["spec", "containers", index]
    if (!isJsonObject(container) || typeof container["name"] !== "string") {
      return yield* Result.fail(invalid(path, "expected a container with a name"))
    }
    const env = yield* namedAt(container, "env", path)
    if (index !== notebookIndex) {
      newContainers.push({ ...container, env: setEnv(env, "JUPYTERHUB_USER_NAME", options.user) })
      continue
    }
    const resources = yield* objectAt(container, "resources", path)
    const requests = mergeQuantities(yield* quantitiesAt(resources, "requests", [...path, "resources"]), merged.resources.requests)
    const limits = mergeQuantities(yield* quantitiesAt(resources, "limits", [...path, "resources"]), merged.resources.limits)
    yield* checkRequestsWithinLimits(container["name"], requests, limits, merged)

    let newEnv = replaceNamed(env, merged.env.map(({ value }) => value))
    newEnv = setEnv(newEnv, "JUPYTERHUB_USER_NAME", options.user)
    const memory = limits["memory"] === undefined ? undefined : parseQuantity(limits["memory"])
    if (memory !== undefined) newEnv = setEnv(newEnv, "MEM_LIMIT", quantityToInteger(memory).toString())

    const podVolumes = merged.volumes.map(({ value }) => toPodVolume(value, options.defaultMountPath ?? defaultMountPath))
    const mounts = yield* namedAt(container, "volumeMounts", path)
    const gpu = merged.gpu?.value ?? 0
    const securityContext = yield* objectAt(container, "securityContext", path)

    newContainers.push({
      ...container,
      env: newEnv,
      ...(container["resources"] === undefined && Object.keys(requests).length === 0 && Object.keys(limits).length === 0 ? {} : {
        resources: {
          ...resources,
          ...(Object.keys(requests).length === 0 ? {} : { requests }),
          ...(Object.keys(limits).length === 0 ? {} : { limits })
        }
      }),
      ...(podVolumes.length === 0 ? {} : { volumeMounts: replaceNamed(mounts, podVolumes.map((v) => v.mount)) }),
      ...(gpu > 0 && options.gpuMode !== undefined ? { securityContext: securityContextFor(securityContext, options.gpuMode) } : {})
    })
  }

  const volumes = yield* namedAt(spec, "volumes", ["spec"])
  const podVolumes = merged.volumes.map(({ value }) => toPodVolume(value, options.defaultMountPath ?? defaultMountPath).volume)
  const tolerations = yield* arrayAt(spec, "tolerations", ["spec"])
  const affinity = yield* objectAt(spec, "affinity", ["spec"])
  const nodeAffinity = yield* objectAt(affinity, "nodeAffinity", ["spec", "affinity"])
  const preferred = yield* arrayAt(nodeAffinity, "preferredDuringSchedulingIgnoredDuringExecution", ["spec", "affinity", "nodeAffinity"])
  const required = merged.nodeAffinity.required
  const addedPreferred = merged.nodeAffinity.preferred.map(({ value }) => value)
  const touchesAffinity = required !== undefined || addedPreferred.length > 0

  return {
    ...pod,
    metadata: {
      ...metadata,
      labels: { ...labels, [userLabel]: toLabelValue(options.user) },
      annotations: { ...annotations, [appliedProfilesAnnotation]: JSON.stringify(merged.applied) }
    },
    spec: {
      ...spec,
      containers: newContainers,
      ...(podVolumes.length === 0 ? {} : { volumes: replaceNamed(volumes, podVolumes) }),
      ...(merged.tolerations.length === 0 ? {} : { tolerations: appendDistinct(tolerations, merged.tolerations.map(({ value }) => value)) }),
      ...(touchesAffinity
        ? {
          affinity: {
            ...affinity,
            nodeAffinity: {
              ...nodeAffinity,
              ...(required === undefined ? {} : { requiredDuringSchedulingIgnoredDuringExecution: required.value }),
              ...(addedPreferred.length === 0 ? {} : {
                preferredDuringSchedulingIgnoredDuringExecution: appendDistinct(preferred, addedPreferred)
              })
            }
          }
        }
        : {})
    }
  }
})
