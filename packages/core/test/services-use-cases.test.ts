import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { readFileSync } from "node:fs"
import { applySpawn, explainResolution, formatWarning, resolveSpawn, servicesDown, servicesUp } from "../src/index.ts"
import { MemoryConfigSource, MemoryServiceGateway } from "../src/testing/layers.ts"
import { envOf, kubespawnerPod, testdata } from "./helpers.ts"

const seedText = readFileSync(testdata("seed-profiles.yaml"), "utf8")
const template = readFileSync(testdata("spark-cluster-template.yaml"), "utf8")
const sparkTemplate = template.slice(template.indexOf("sparkClusterTemplate: |") + "sparkClusterTemplate: |\n".length).split("\n").map((l) => l.slice(4)).join("\n")
const airflow = "apiVersion: airflow.apache.org/v1\nkind: AirflowCluster\nmetadata: { name: airflow }\n"
const base = "apiVersion: airflow.apache.org/v1\nkind: AirflowBase\nmetadata: { name: airflow-base-{{ user }} }\n"

const source = (extra = "") => MemoryConfigSource({
  documents: [{ source: "seed", text: seedText }, ...(extra === "" ? [] : [{ source: "extra", text: extra }])],
  configMaps: {
    "spark-cluster-template": { sparkClusterTemplate: sparkTemplate },
    "jupyter-services-template": { airflowCluster: airflow, airflowBase: base.replace("{ name: airflow-base-{{ user }} }", "{ name: \"airflow-base-{{ user }}\" }") }
  }
})
const spark = { user: "vpavlin", image: "s2i-spark-notebook:3.6" }

describe("services up and down (SPEC 7)", () => {
  it.effect("the README's example: the Spark cluster and both Airflow objects, owned by the reference ConfigMap; SPARK_CLUSTER returned", () => {
    const gateway = MemoryServiceGateway()
    return Effect.gen(function*() {
      const resolution = yield* resolveSpawn(spark)
      const { returns, warnings } = yield* servicesUp(resolution)
      assert.deepStrictEqual(returns, [{ service: "spark", env: [{ name: "SPARK_CLUSTER", value: "spark-cluster-vpavlin" }] }, { service: "airflow", env: [] }])
      assert.deepStrictEqual(warnings, [])
      assert.deepStrictEqual([...gateway.objects.keys()], ["SparkCluster/spark-cluster-vpavlin", "AirflowCluster/airflow-vpavlin", "AirflowBase/airflow-base-vpavlin"])
      const owner = gateway.owners.get("singleuser-service-ref-vpavlin")
      assert.isDefined(owner)
      assert.deepStrictEqual(gateway.objects.get("SparkCluster/spark-cluster-vpavlin")?.metadata["ownerReferences"], [{ ...owner }])
      // Twice: still one object of each.
      yield* servicesUp(resolution)
      assert.strictEqual(gateway.objects.size, 3)
      yield* servicesDown("vpavlin")
      assert.strictEqual(gateway.objects.size, 0)
      assert.strictEqual(gateway.owners.size, 0)
    }).pipe(Effect.provide(Layer.merge(source(), gateway.layer)))
  })

  it.effect("through applySpawn: the returned variables land in the pod, and explain names service:spark", () => {
    const gateway = MemoryServiceGateway()
    return Effect.gen(function*() {
      const { pod, resolution } = yield* applySpawn(kubespawnerPod("vpavlin", spark.image), {}, {}, servicesUp)
      assert.deepInclude(envOf(pod), { name: "SPARK_CLUSTER", value: "spark-cluster-vpavlin" })
      assert.deepInclude(explainResolution(resolution), { field: "env SPARK_CLUSTER", value: "spark-cluster-vpavlin", display: "\"spark-cluster-vpavlin\"", from: "service:spark" })
    }).pipe(Effect.provide(Layer.merge(source(), gateway.layer)))
  })

  it.effect("explain names service:<name> for every variable a service returned, also over a profile's value of the same name; the pod gets the service's", () => {
    const gateway = MemoryServiceGateway()
    const profile = `
profiles:
  - name: spark-env
    images: [s2i-spark-notebook]
    env: [{ name: SPARK_CLUSTER, value: configured }, { name: KEPT, value: "yes" }]
    services:
      airflow:
        resources: [{ name: jupyter-services-template, path: airflowBase }]
        return: { AIRFLOW_BASE: metadata.name, AIRFLOW_KIND: kind }
`
    return Effect.gen(function*() {
      const { pod, resolution } = yield* applySpawn(kubespawnerPod("vpavlin", spark.image), {}, {}, servicesUp)
      const env = envOf(pod)
      assert.deepInclude(env, { name: "SPARK_CLUSTER", value: "spark-cluster-vpavlin" })
      assert.deepInclude(env, { name: "AIRFLOW_BASE", value: "airflow-base-vpavlin" })
      const from = new Map(explainResolution(resolution).map((line) => [line.field, line.from]))
      assert.strictEqual(from.get("env SPARK_CLUSTER"), "service:spark")
      assert.strictEqual(from.get("env AIRFLOW_BASE"), "service:airflow")
      assert.strictEqual(from.get("env AIRFLOW_KIND"), "service:airflow")
      assert.strictEqual(from.get("env KEPT"), "spark-env")
      assert.deepStrictEqual(env.filter((e) => typeof e === "object" && e !== null && Reflect.get(e, "name") === "SPARK_CLUSTER"), [{ name: "SPARK_CLUSTER", value: "spark-cluster-vpavlin" }])
      // Without the services step nothing is returned, and explain names the profile.
      const plain = yield* applySpawn(kubespawnerPod("vpavlin", spark.image), {}, {})
      assert.strictEqual(new Map(explainResolution(plain.resolution).map((line) => [line.field, line.from])).get("env SPARK_CLUSTER"), "spark-env")
    }).pipe(Effect.provide(Layer.merge(source(profile), gateway.layer)))
  })

  it.effect("ready: waits for the status, then reads the return values from the latest object; on timeout it goes on with a warning", () => {
    const gateway = MemoryServiceGateway()
    const readyProfile = `
profiles:
  - name: ready-spark
    images: [s2i-spark-notebook]
    services:
      spark:
        resources: [{ name: spark-cluster-template, path: sparkClusterTemplate }]
        configuration: { worker_instances: 2, worker_memory_limit: 1Gi, master_memory_limit: 1Gi }
        ready: { path: status.state, equals: Ready, timeoutSeconds: 10 }
        return: { SPARK_MASTER: status.master }
`
    return Effect.gen(function*() {
      const resolution = yield* resolveSpawn(spark)
      const fiber = yield* Effect.forkChild(servicesUp(resolution))
      yield* TestClock.adjust("3 seconds")
      gateway.update("SparkCluster", "spark-cluster-vpavlin", (o) => ({ ...o, status: { state: "Ready", master: "spark://master:7077" } }))
      yield* TestClock.adjust("2 seconds")
      const done = yield* Fiber.join(fiber)
      assert.deepInclude(done.returns, { service: "spark", env: [{ name: "SPARK_MASTER", value: "spark://master:7077" }] })
      gateway.update("SparkCluster", "spark-cluster-vpavlin", (o) => ({ ...o, status: { state: "Starting" } }))
      const slow = yield* Effect.forkChild(servicesUp(resolution))
      yield* TestClock.adjust("15 seconds")
      const late = yield* Fiber.join(slow)
      assert.isTrue(late.warnings.map(formatWarning).some((w) => w.startsWith("service spark: SparkCluster spark-cluster-vpavlin was not ready (status.state = Ready) within 10 s")))
    }).pipe(Effect.provide(Layer.merge(source(readyProfile), gateway.layer)))
  })

  it.effect("a missing template is a typed failure naming the service and the template; nothing is submitted", () => {
    const gateway = MemoryServiceGateway()
    return Effect.gen(function*() {
      const failure = yield* Effect.flip(servicesUp(yield* resolveSpawn(spark)))
      assert.strictEqual(failure._tag, "ServiceTemplateError")
      assert.strictEqual(failure.message, "service \"spark\": template ConfigMap spark-cluster-template key sparkClusterTemplate: no such template (the ConfigMap or its key is missing)")
      assert.strictEqual(gateway.objects.size, 0)
    }).pipe(Effect.provide(Layer.merge(MemoryConfigSource({ documents: [{ source: "seed", text: seedText }] }), gateway.layer)))
  })
})
