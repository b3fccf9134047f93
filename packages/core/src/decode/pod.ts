import { groupsAnnotation, notebookContainerIndex, usernameAnnotation } from "../apply/pod.ts"
import { isJsonArray, isJsonObject } from "../internal/json.ts"

/** What a pod itself says about its spawn: user (KubeSpawner's annotation), groups, notebook image. */
export interface PodSpawnInfo {
  readonly user?: string
  readonly groups: ReadonlyArray<string>
  readonly image?: string
}

/** Groups from the annotation: a JSON list of strings, or comma-separated names. */
export const parseGroups = (text: string): ReadonlyArray<string> => {
  const trimmed = text.trim()
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed)
      if (Array.isArray(parsed)) return parsed.filter((g): g is string => typeof g === "string")
    } catch {
      // Not JSON after all: fall through to the comma-separated form.
    }
  }
  return trimmed.split(",").map((g) => g.trim()).filter((g) => g !== "")
}

/** Reads user, groups and image from a pod, for whatever the caller does not give explicitly. */
export const podSpawnInfo = (pod: unknown): PodSpawnInfo => {
  if (!isJsonObject(pod)) return { groups: [] }
  const metadata = isJsonObject(pod["metadata"]) ? pod["metadata"] : {}
  const annotations = isJsonObject(metadata["annotations"]) ? metadata["annotations"] : {}
  const user = annotations[usernameAnnotation]
  const groups = annotations[groupsAnnotation]
  const spec = isJsonObject(pod["spec"]) ? pod["spec"] : {}
  const containers = isJsonArray(spec["containers"]) ? spec["containers"] : []
  const notebook = containers[notebookContainerIndex(containers)]
  const image = isJsonObject(notebook) ? notebook["image"] : undefined
  return {
    ...(typeof user === "string" ? { user } : {}),
    groups: typeof groups === "string" ? parseGroups(groups) : [],
    ...(typeof image === "string" ? { image } : {})
  }
}
