import { Result } from "effect"
import { InvalidDocument } from "../errors/errors.ts"
import { type Warning, warning } from "../errors/warning.ts"
import { isJsonArray, isJsonObject, type Json, type JsonObject } from "../internal/json.ts"
import { gpuTypeAnnotation, groupsAnnotation, sizeAnnotation, usernameAnnotation } from "../kube/annotations.ts"
import type { SpawnInput } from "../select/spawn.ts"
import { formatPath } from "./schema.ts"

/** A pod read once: the parts the transform touches, checked, and what it says about its spawn. Everything else stays in `pod`. */
export interface PodView {
  readonly pod: JsonObject
  readonly metadata: JsonObject
  readonly labels: JsonObject
  readonly annotations: JsonObject
  readonly spec: JsonObject
  readonly containers: ReadonlyArray<Json>
  /** The notebook container: the one named `notebook`, else the first. */
  readonly notebookIndex: number
  /** What the pod itself says about its spawn: annotations and the notebook container's image. */
  readonly spawn: SpawnInput
  readonly warnings: ReadonlyArray<Warning>
}

/** Where pod problems are reported. */
export const podSource = "pod"

/** A problem at a path of the pod. */
export const invalidPod = (path: ReadonlyArray<PropertyKey>, message: string): InvalidDocument =>
  new InvalidDocument({ source: podSource, problems: [{ path: formatPath(path), message }] })

// A pod is never decoded through a closed schema: these read the parts the transform touches and
// give the path of the first part that is not what Kubernetes allows. They return the error as a
// value (not a Result) because this is the hot path of every spawn.
/** A value that is read, or the problem with it. */
export type Read<A> = A | InvalidDocument

/** The object at a key (absent or null: empty). */
export const objectAt = (parent: JsonObject, key: string, path: ReadonlyArray<PropertyKey>): Read<JsonObject> => {
  const value = parent[key]
  if (value === undefined || value === null) return {}
  return isJsonObject(value) ? value : invalidPod([...path, key], `expected an object, got ${JSON.stringify(value)}`)
}

/** The array at a key (absent or null: empty). */
export const arrayAt = (parent: JsonObject, key: string, path: ReadonlyArray<PropertyKey>): Read<ReadonlyArray<Json>> => {
  const value = parent[key]
  if (value === undefined || value === null) return []
  return isJsonArray(value) ? value : invalidPod([...path, key], `expected an array, got ${JSON.stringify(value)}`)
}

/** Groups from the annotation: a JSON list of strings, or comma-separated names. */
export const parseGroups = (text: string): ReadonlyArray<string> => {
  const trimmed = text.trim()
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed)
      if (Array.isArray(parsed)) return parsed.filter((g): g is string => typeof g === "string")
    } catch {
      // Not JSON after all: the comma-separated form below reads it.
    }
  }
  return trimmed.split(",").map((g) => g.trim()).filter((g) => g !== "")
}

const describeKind = (pod: JsonObject): string => {
  const kind = pod["kind"]
  const name = isJsonObject(pod["metadata"]) && typeof pod["metadata"]["name"] === "string" ? ` "${pod["metadata"]["name"]}"` : ""
  return typeof kind === "string" ? `a ${kind}${name}` : `${JSON.stringify(kind)}`
}

const stringAt = (object: JsonObject, key: string): string | undefined => {
  const value = object[key]
  return typeof value === "string" && value !== "" ? value : undefined
}

/**
 * The user a pod says it is for (KubeSpawner's `hub.jupyter.org/username` annotation), read
 * without reading the rest of it: how a single-user pod is told apart, however malformed.
 */
export const podUsername = (pod: unknown): string | undefined => {
  if (!isJsonObject(pod) || !isJsonObject(pod["metadata"])) return undefined
  const annotations = pod["metadata"]["annotations"]
  return isJsonObject(annotations) ? stringAt(annotations, usernameAnnotation) : undefined
}

/**
 * Reads a pod (SPEC 5): anything whose `kind` is not `Pod`, or without `spec.containers`, is
 * not a pod. The notebook container is the one named `notebook`, else the first (with a warning).
 */
export const readPod = (input: unknown): Result.Result<PodView, InvalidDocument> => {
  if (!isJsonObject(input)) return Result.fail(invalidPod([], "expected a Pod object"))
  if (input["kind"] !== undefined && input["kind"] !== "Pod") {
    return Result.fail(invalidPod(["kind"], `expected a Pod, got ${describeKind(input)}`))
  }
  const metadata = objectAt(input, "metadata", [])
  if (metadata instanceof InvalidDocument) return Result.fail(metadata)
  const labels = objectAt(metadata, "labels", ["metadata"])
  if (labels instanceof InvalidDocument) return Result.fail(labels)
  const annotations = objectAt(metadata, "annotations", ["metadata"])
  if (annotations instanceof InvalidDocument) return Result.fail(annotations)
  const spec = input["spec"]
  if (!isJsonObject(spec) || spec["containers"] === undefined) {
    return Result.fail(invalidPod(["spec", "containers"], "missing: a Pod has containers"))
  }
  const containers = arrayAt(spec, "containers", ["spec"])
  if (containers instanceof InvalidDocument) return Result.fail(containers)
  if (containers.length === 0) return Result.fail(invalidPod(["spec", "containers"], "expected at least one container"))
  const named = containers.findIndex((c) => isJsonObject(c) && c["name"] === "notebook")
  const notebookIndex = named === -1 ? 0 : named
  const notebook = containers[notebookIndex]
  const warnings: Array<Warning> = []
  if (named === -1) {
    const name = isJsonObject(notebook) && typeof notebook["name"] === "string" ? notebook["name"] : "(unnamed)"
    warnings.push(warning(podSource, `no container is named "notebook"; the first, "${name}", gets the profile`, "spec.containers[0]"))
  }
  const user = stringAt(annotations, usernameAnnotation)
  const groups = annotations[groupsAnnotation]
  const image = isJsonObject(notebook) ? stringAt(notebook, "image") : undefined
  const size = stringAt(annotations, sizeAnnotation)
  const gpuType = stringAt(annotations, gpuTypeAnnotation)
  return Result.succeed({
    pod: input,
    metadata,
    labels,
    annotations,
    spec,
    containers,
    notebookIndex,
    spawn: {
      ...(user === undefined ? {} : { user }),
      ...(typeof groups === "string" ? { groups: parseGroups(groups) } : {}),
      ...(image === undefined ? {} : { image }),
      ...(size === undefined ? {} : { size }),
      ...(gpuType === undefined ? {} : { gpuType })
    },
    warnings
  })
}
