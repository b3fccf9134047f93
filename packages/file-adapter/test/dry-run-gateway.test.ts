import { formatWarning, resolveSpawn, servicesDown, servicesUp } from "@jsp/core"
import { MemoryConfigSource } from "@jsp/core/testing"
import { Effect, Layer } from "effect"
import { describe, expect, it } from "vitest"
import { DryRunServiceGateway } from "../src/index.ts"

const profiles = `
profiles:
  - name: spark
    services:
      spark:
        resources: [{ name: spark-template, path: cluster }]
        configuration: { workers: 2 }
        labels: { app: spark }
        ready: { path: status.state, equals: Ready, timeoutSeconds: 600 }
        return: { SPARK_CLUSTER: metadata.name, SPARK_WORKERS: spec.workers, SPARK_MASTER: status.master }
`
const template = "apiVersion: radanalytics.io/v1\nkind: SparkCluster\nmetadata: { name: spark-cluster }\nspec: { workers: \"{{ workers }}\" }\n"
const source = MemoryConfigSource({ documents: [{ source: "profiles", text: profiles }], configMaps: { "spark-template": { cluster: template } } })

describe("DryRunServiceGateway", () => {
  it("records what services up would write, reads back the rendered objects, and waits for nothing", async () => {
    const dryRun = DryRunServiceGateway({ namespace: "odh" })
    const result = await Effect.runPromise(Effect.gen(function*() {
      return yield* servicesUp(yield* resolveSpawn({ user: "ada", image: "any:1" }))
    }).pipe(Effect.provide(Layer.merge(source, dryRun.layer))))
    expect(result.returns).toEqual([{ service: "spark", env: [{ name: "SPARK_CLUSTER", value: "spark-cluster-ada" }, { name: "SPARK_WORKERS", value: "2" }] }])
    expect(result.warnings.map(formatWarning)).toEqual([
      "service spark: dry run: SparkCluster spark-cluster-ada is not waited for (ready: status.state = Ready); return values are read from the object as rendered",
      "service spark: return SPARK_MASTER: status.master matched nothing; the variable is not set"
    ])
    expect(dryRun.actions()).toEqual([
      { action: "ensure", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "singleuser-service-ref-ada", namespace: "odh", labels: { "app.kubernetes.io/managed-by": "jsp" }, annotations: { "jsp.opendatahub.io/user": "ada" } } } },
      { action: "apply", object: {
        apiVersion: "radanalytics.io/v1", kind: "SparkCluster",
        metadata: { name: "spark-cluster-ada", namespace: "odh", labels: { app: "spark" }, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: "singleuser-service-ref-ada", uid: "" }] },
        spec: { workers: "2" }
      } }
    ])
  })

  it("records the delete services down would make; without a namespace, objects have none", async () => {
    const dryRun = DryRunServiceGateway()
    await Effect.runPromise(servicesDown("ada").pipe(Effect.provide(dryRun.layer)))
    expect(dryRun.actions()).toEqual([
      { action: "delete", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "singleuser-service-ref-ada", labels: { "app.kubernetes.io/managed-by": "jsp" }, annotations: { "jsp.opendatahub.io/user": "ada" } } } }
    ])
  })
})
