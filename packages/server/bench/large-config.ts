// The 2,000-profile configuration (packages/core/bench/generated-config.ts) as operators would
// keep it: a ConfigMap labelled jupyterhub.opendatahub.io/user=profile whose key holds the YAML
// document, written block style (the bulkiest form, ~1.9 MB).
import { writeFileSync } from "node:fs"
import { join } from "node:path"
import { stringify } from "yaml"
import { generatedDocument, listedUsers } from "../../core/bench/generated-config.ts"

/** The labelled ConfigMap holding the 2,000 profiles (the example's sizes stay in force). */
export const largeConfigMap = () => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "team-profiles", labels: { "jupyterhub.opendatahub.io/user": "profile" } },
  data: { "jupyterhub-singleuser-profiles.yaml": stringify(generatedDocument([])) }
})

/** Writes it as a manifest into `dir`; returns the file and the size of the document in it. */
export const writeLargeConfig = (dir: string) => {
  const configMap = largeConfigMap()
  const file = join(dir, "team-profiles.yaml")
  writeFileSync(file, stringify(configMap))
  return { file, documentBytes: Buffer.byteLength(configMap.data["jupyterhub-singleuser-profiles.yaml"]) }
}

/** A user listed in one of the generated team profiles: the i-th of a spread over all of them. */
export const generatedUser = (i: number) => `user-${(i * 7919) % listedUsers}`
