import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Result } from "effect"
import {
  applyToPod,
  combineDocuments,
  isJsonObject,
  type Configuration,
  decodeConfigDocument,
  type JsonObject,
  parseYamlDocuments,
  type PodOptions,
  readPod,
  resolveProfile,
  type MergedProfile,
  type Spawn,
  type UserSettings
} from "../src/index.ts"

/** A file next to the tests. */
export const testdata = (name: string): string => fileURLToPath(new URL(`./testdata/${name}`, import.meta.url))

/** Parses and decodes YAML configuration text; throws on any problem (test setup only). */
export const configurationFromText = (text: string, source = "test.yaml"): Configuration => {
  const parsed = parseYamlDocuments(source, text)
  if (Result.isFailure(parsed)) throw new Error(parsed.failure.message)
  return combineDocuments(parsed.success.map((value) => {
    const decoded = decodeConfigDocument(source, value)
    if (Result.isFailure(decoded)) throw new Error(decoded.failure.message)
    return decoded.success.value
  }))
}

/** The seed configuration of the original project's README. */
export const seed: Configuration = configurationFromText(readFileSync(testdata("seed-profiles.yaml"), "utf8"), "seed-profiles.yaml")

/** A spawn as tests write it: a size by name (asked for), the rest defaulted. */
export interface SpawnRequest {
  readonly user: string
  readonly groups?: ReadonlyArray<string>
  readonly image?: string
  readonly size?: string | undefined
  readonly gpuType?: string | undefined
}

/** The spawn a request stands for. */
export const spawnOf = ({ size, gpuType, ...request }: SpawnRequest): Spawn => ({
  groups: [],
  image: "s2i-minimal-notebook:3.6",
  ...request,
  ...(size === undefined ? {} : { size: { name: size, origin: "request" } }),
  ...(gpuType === undefined ? {} : { gpuType })
})

/** Resolves a spawn, throwing on failure (test setup only). */
export const resolveOrThrow = (configuration: Configuration, request: SpawnRequest, settings?: UserSettings) => {
  const result = resolveProfile(configuration, settings, spawnOf(request))
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

/** A pod as KubeSpawner builds it. */
export const kubespawnerPod = (user = "alice", image = "s2i-minimal-notebook:3.6"): JsonObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: {
    name: `jupyter-${user}`,
    labels: { app: "jupyterhub", component: "singleuser-server", "hub.jupyter.org/username": user },
    annotations: { "hub.jupyter.org/username": user }
  },
  spec: {
    containers: [{
      name: "notebook",
      image,
      env: [{ name: "JUPYTERHUB_API_TOKEN", value: "token" }],
      ports: [{ containerPort: 8888, name: "notebook-port" }],
      resources: {}
    }],
    securityContext: { fsGroup: 100 }
  }
})

/** Reads a pod and applies a merged profile to it (the two steps `applySpawn` takes). */
export const applyRaw = (pod: unknown, merged: MergedProfile, options: PodOptions) =>
  Result.flatMap(readPod(pod), (view) => applyToPod(view, merged, options))

/** Applies, throwing on failure (test setup only). */
export const applyOrThrow = (...args: Parameters<typeof applyRaw>): JsonObject => {
  const result = applyRaw(...args)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}

/** The value at a path inside JSON, undefined when absent (for assertions). */
export const at = (value: unknown, ...path: ReadonlyArray<string | number>): unknown =>
  path.reduce<unknown>((v, key) => typeof key === "number"
    ? (Array.isArray(v) ? v[key] : undefined)
    : (isJsonObject(v) ? v[key] : undefined), value)

const objectOrEmpty = (value: unknown): JsonObject => isJsonObject(value) ? value : {}

/** A pod with fields of its spec replaced. */
export const withSpec = (pod: JsonObject, spec: JsonObject): JsonObject => ({ ...pod, spec: { ...objectOrEmpty(pod["spec"]), ...spec } })

/** A pod whose first container has fields replaced. */
export const withNotebook = (pod: JsonObject, fields: JsonObject): JsonObject =>
  withSpec(pod, { containers: [{ ...objectOrEmpty(at(pod, "spec", "containers", 0)), ...fields }] })

/** The env of a container as name → value. */
export const envOf = (pod: unknown, container = 0): ReadonlyArray<unknown> => {
  const env = at(pod, "spec", "containers", container, "env")
  return Array.isArray(env) ? env : []
}
export const envNames = (pod: unknown, container = 0): ReadonlyArray<unknown> => envOf(pod, container).map((e) => at(e, "name"))
export const envValue = (pod: unknown, name: string, container = 0): unknown =>
  at(envOf(pod, container).find((e) => at(e, "name") === name), "value")

/** A container of a pod (test setup: throws when there is none). */
export const containerOf = (pod: unknown, index: number): JsonObject => {
  const container = at(pod, "spec", "containers", index)
  if (!isJsonObject(container)) throw new Error(`no container ${index}`)
  return container
}
