import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Result } from "effect"
import {
  applyToPod,
  combineDocuments,
  type Configuration,
  decodeConfigDocument,
  type JsonObject,
  parseYamlDocuments,
  type ResolveRequest,
  resolveProfile,
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

/** Resolves a spawn, throwing on failure (test setup only). */
export const resolveOrThrow = (configuration: Configuration, request: Partial<ResolveRequest> & { user: string }, settings?: UserSettings) => {
  const result = resolveProfile(configuration, settings, { groups: [], image: "s2i-minimal-notebook:3.6", ...request })
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

/** Applies, throwing on failure (test setup only). */
export const applyOrThrow = (...args: Parameters<typeof applyToPod>): JsonObject => {
  const result = applyToPod(...args)
  if (Result.isFailure(result)) throw new Error(result.failure.message)
  return result.success
}
