import { Result } from "effect"
import { arrayAt, invalidPod, objectAt, type PodView, type Read } from "../decode/pod.ts"
import { InvalidDocument, RequestAboveLimit, VolumeConflict } from "../errors/errors.ts"
import type { GpuMode } from "../merge/gpu.ts"
import { appendDistinct, canonicalJson, isJsonArray, isJsonObject, type JsonObject } from "../internal/json.ts"
import type { MergedProfile, Sourced } from "../merge/merge.ts"
import { appliedProfilesAnnotation, userLabel } from "../kube/annotations.ts"
import { requestsAboveLimits } from "../kube/limits.ts"
import { toLabelValue } from "../kube/names.ts"
import { parseQuantity, quantityToInteger } from "../kube/quantity.ts"
import { defaultMountPath, type PodVolume, toPodVolume } from "./volumes.ts"

/** Options of the pod transform beyond the merged profile. */
export interface PodOptions {
  readonly user: string
  readonly gpuMode?: GpuMode | undefined
  readonly defaultMountPath?: string | undefined
}

// Named entries (env, volumes, volumeMounts): each must be an object with a string name.
const namedAt = (parent: JsonObject, key: string, path: ReadonlyArray<PropertyKey>): Read<ReadonlyArray<JsonObject>> => {
  const items = arrayAt(parent, key, path)
  if (items instanceof InvalidDocument) return items
  const bad = items.findIndex((item) => !isJsonObject(item) || typeof item["name"] !== "string")
  return bad === -1 ? items.filter(isJsonObject) : invalidPod([...path, key, bad], "expected an object with a string name")
}

const quantitiesAt = (parent: JsonObject, key: string, path: ReadonlyArray<PropertyKey>): Read<Readonly<Record<string, string>>> => {
  const list = objectAt(parent, key, path)
  if (list instanceof InvalidDocument) return list
  const result: Record<string, string> = {}
  for (const [name, value] of Object.entries(list)) {
    const text = typeof value === "number" ? String(value) : value
    if (typeof text !== "string" || parseQuantity(text) === undefined) {
      return invalidPod([...path, key, name], `expected a Kubernetes quantity, got ${JSON.stringify(value)}`)
    }
    result[name] = text
  }
  return result
}

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
): RequestAboveLimit | undefined => {
  const first = requestsAboveLimits(requests, limits)[0]
  return first === undefined ? undefined : new RequestAboveLimit({
    container,
    ...first,
    requestFrom: merged.resources.requests[first.resource]?.from ?? "the pod",
    limitFrom: merged.resources.limits[first.resource]?.from ?? "the pod"
  })
}

// A profile volume may only reuse a name the pod has for the very same volume (then nothing changes,
// which is what keeps applying twice a no-op); any other would silently replace the pod's own.
const conflictingVolume = (existing: ReadonlyArray<JsonObject>, added: ReadonlyArray<PodVolume>, merged: MergedProfile): VolumeConflict | undefined => {
  for (const [i, { volume }] of added.entries()) {
    const same = existing.find((v) => v["name"] === volume["name"])
    if (same !== undefined && canonicalJson(same) !== canonicalJson(volume)) {
      return new VolumeConflict({
        name: String(volume["name"]),
        from: merged.volumes[i]?.from ?? "a profile",
        existing: canonicalJson(same),
        added: canonicalJson(volume)
      })
    }
  }
  return undefined
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

/**
 * Applies a merged profile to a pod (SPEC 5): a new pod with the user label, env, resources,
 * tolerations, affinity, GPU security context, volumes and applied-profiles annotation; every
 * other field exactly as it was. Applying the result again changes nothing.
 */
export const applyToPod = (
  view: PodView,
  merged: MergedProfile,
  options: PodOptions
): Result.Result<JsonObject, InvalidDocument | RequestAboveLimit | VolumeConflict> => {
  const { pod, metadata, labels, annotations, spec, containers, notebookIndex } = view
  const mountBase = options.defaultMountPath ?? defaultMountPath
  const podVolumes = merged.volumes.map(({ value }) => toPodVolume(value, mountBase))

  const newContainers: Array<JsonObject> = []
  for (const [index, container] of containers.entries()) {
    const path = ["spec", "containers", index]
    if (!isJsonObject(container) || typeof container["name"] !== "string") {
      return Result.fail(invalidPod(path, "expected a container with a name"))
    }
    const env = namedAt(container, "env", path)
    if (env instanceof InvalidDocument) return Result.fail(env)
    if (index !== notebookIndex) {
      newContainers.push({ ...container, env: setEnv(env, "JUPYTERHUB_USER_NAME", options.user) })
      continue
    }
    const notebook = transformNotebook(container, container["name"], env, path, merged, options, podVolumes)
    if (notebook instanceof InvalidDocument || notebook instanceof RequestAboveLimit) return Result.fail(notebook)
    newContainers.push(notebook)
  }

  const volumes = namedAt(spec, "volumes", ["spec"])
  if (volumes instanceof InvalidDocument) return Result.fail(volumes)
  const conflict = conflictingVolume(volumes, podVolumes, merged)
  if (conflict !== undefined) return Result.fail(conflict)
  const tolerations = arrayAt(spec, "tolerations", ["spec"])
  if (tolerations instanceof InvalidDocument) return Result.fail(tolerations)
  const affinity = objectAt(spec, "affinity", ["spec"])
  if (affinity instanceof InvalidDocument) return Result.fail(affinity)
  const nodeAffinity = objectAt(affinity, "nodeAffinity", ["spec", "affinity"])
  if (nodeAffinity instanceof InvalidDocument) return Result.fail(nodeAffinity)
  const preferred = arrayAt(nodeAffinity, "preferredDuringSchedulingIgnoredDuringExecution", ["spec", "affinity", "nodeAffinity"])
  if (preferred instanceof InvalidDocument) return Result.fail(preferred)
  const required = merged.nodeAffinity.required
  const addedPreferred = merged.nodeAffinity.preferred.map(({ value }) => value)
  const touchesAffinity = required !== undefined || addedPreferred.length > 0

  return Result.succeed({
    ...pod,
    metadata: {
      ...metadata,
      labels: { ...labels, [userLabel]: toLabelValue(options.user) },
      annotations: { ...annotations, [appliedProfilesAnnotation]: JSON.stringify(merged.applied) }
    },
    spec: {
      ...spec,
      containers: newContainers,
      ...(podVolumes.length === 0 ? {} : { volumes: replaceNamed(volumes, podVolumes.map((v) => v.volume)) }),
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
  })
}

// The notebook container: env, resources, mounts and the GPU security context (SPEC 5).
const transformNotebook = (
  container: JsonObject,
  name: string,
  env: ReadonlyArray<JsonObject>,
  path: ReadonlyArray<PropertyKey>,
  merged: MergedProfile,
  options: PodOptions,
  podVolumes: ReadonlyArray<PodVolume>
): JsonObject | InvalidDocument | RequestAboveLimit => {
  const resources = objectAt(container, "resources", path)
  if (resources instanceof InvalidDocument) return resources
  const ownRequests = quantitiesAt(resources, "requests", [...path, "resources"])
  if (ownRequests instanceof InvalidDocument) return ownRequests
  const ownLimits = quantitiesAt(resources, "limits", [...path, "resources"])
  if (ownLimits instanceof InvalidDocument) return ownLimits
  const requests = mergeQuantities(ownRequests, merged.resources.requests)
  const limits = mergeQuantities(ownLimits, merged.resources.limits)
  const aboveLimit = checkRequestsWithinLimits(name, requests, limits, merged)
  if (aboveLimit !== undefined) return aboveLimit
  const mounts = namedAt(container, "volumeMounts", path)
  if (mounts instanceof InvalidDocument) return mounts
  const securityContext = objectAt(container, "securityContext", path)
  if (securityContext instanceof InvalidDocument) return securityContext

  let newEnv = replaceNamed(env, merged.env.map(({ value }) => value))
  newEnv = setEnv(newEnv, "JUPYTERHUB_USER_NAME", options.user)
  const memory = limits["memory"] === undefined ? undefined : parseQuantity(limits["memory"])
  if (memory !== undefined) newEnv = setEnv(newEnv, "MEM_LIMIT", quantityToInteger(memory).toString())
  const hasResources = container["resources"] !== undefined || Object.keys(requests).length > 0 || Object.keys(limits).length > 0
  const gpu = merged.gpu?.value ?? 0
  return {
    ...container,
    env: newEnv,
    ...(hasResources
      ? {
        resources: {
          ...resources,
          ...(Object.keys(requests).length === 0 ? {} : { requests }),
          ...(Object.keys(limits).length === 0 ? {} : { limits })
        }
      }
      : {}),
    ...(podVolumes.length === 0 ? {} : { volumeMounts: replaceNamed(mounts, podVolumes.map((v) => v.mount)) }),
    ...(gpu > 0 && options.gpuMode !== undefined ? { securityContext: securityContextFor(securityContext, options.gpuMode) } : {})
  }
}
