import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { configMaps, customResource, defaultResourceTypes, FakeApiServer } from "@jsp/kube-fake"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { parse, parseAllDocuments } from "yaml"
import { jsp as run, root } from "./harness.ts"

const namespace = "odh"
const spark = customResource("radanalytics.io", "v1", "SparkCluster", "sparkclusters")
const airflowBase = customResource("airflow.k8s.io", "v1alpha1", "AirflowBase", "airflowbases")
const airflowCluster = customResource("airflow.k8s.io", "v1alpha1", "AirflowCluster", "airflowclusters")

let fake: FakeApiServer
let kubeconfig: string

const jsp = (args: ReadonlyArray<string>) => run([...args, "--kubeconfig", kubeconfig])
const manifest = (path: string) => parse(readFileSync(`${root}${path}`, "utf8"))

beforeEach(async () => {
  fake = await FakeApiServer.start({ token: "cli-token", gcDelayMs: 5, resourceTypes: [...defaultResourceTypes, airflowBase, airflowCluster] })
  kubeconfig = join(mkdtempSync(join(tmpdir(), "jsp-services-")), "config")
  writeFileSync(kubeconfig, fake.kubeconfig(namespace, "cli-token"))
  fake.put(configMaps, namespace, { metadata: { name: "jupyter-singleuser-profiles" }, data: { "jupyterhub-singleuser-profiles.yaml": readFileSync(`${root}packages/core/test/testdata/seed-profiles.yaml`, "utf8") } })
  fake.put(configMaps, namespace, manifest("packages/core/test/testdata/spark-cluster-template.yaml"))
  fake.put(configMaps, namespace, manifest("examples/config/jupyter-services-template.yaml"))
})
afterEach(() => fake.stop())

const up = ["services", "up", "--source", "cluster", "--user", "vpavlin", "--image", "s2i-spark-notebook:3.6"]

describe("jsp services up/down against the API-server double", () => {
  it("the README's example: SparkCluster and the Airflow objects owned by the reference ConfigMap; down collects them", async () => {
    const { code, stdout, stderr } = await jsp(up)
    expect(stderr).toBe("")
    expect(code).toBe(0)
    expect(stdout).toBe("SPARK_CLUSTER=spark-cluster-vpavlin\n")
    const owner = fake.store.get(configMaps, namespace, "singleuser-service-ref-vpavlin") as { metadata: { uid: string } }
    const cluster = fake.store.get(spark, namespace, "spark-cluster-vpavlin") as { metadata: { labels: Record<string, string>; ownerReferences: Array<{ uid: string; kind: string }> }; spec: unknown }
    expect(cluster.metadata.labels["opendatahub.io/component"]).toBe("jupyterhub")
    expect(cluster.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "ConfigMap", name: "singleuser-service-ref-vpavlin", uid: owner.metadata.uid })])
    expect(cluster.spec).toEqual({ worker: { instances: "1", memoryLimit: "4Gi" }, master: { memoryLimit: "1Gi" } })
    expect(fake.store.list(airflowBase, namespace, []).length).toBe(1)
    expect(fake.store.list(airflowCluster, namespace, []).length).toBe(1)

    const again = await jsp(up)
    expect(again.code).toBe(0)
    await Promise.all([jsp(up), jsp(up)])
    expect(fake.store.list(spark, namespace, []).length).toBe(1)
    expect(fake.store.list(airflowBase, namespace, []).length).toBe(1)
    expect(fake.store.list(airflowCluster, namespace, []).length).toBe(1)

    const down = await jsp(["services", "down", "--source", "cluster", "--user", "vpavlin"])
    expect(down.stderr).toBe("")
    expect(down.code).toBe(0)
    await new Promise((r) => setTimeout(r, 100))
    expect(fake.store.get(configMaps, namespace, "singleuser-service-ref-vpavlin")).toBeUndefined()
    expect(fake.store.list(spark, namespace, []).length).toBe(0)
    expect(fake.store.list(airflowCluster, namespace, []).length).toBe(0)
  })

  it("--dry-run reads the configuration and templates from the cluster and writes nothing; the objects are shown in its namespace", async () => {
    const before = fake.store.resourceVersion
    const { code, stdout, stderr } = await jsp([...up, "--dry-run"])
    expect(code).toBe(0)
    expect(stdout).toBe("SPARK_CLUSTER=spark-cluster-vpavlin\n")
    expect(parseAllDocuments(stderr).map((d) => d.toJS()).map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      "ConfigMap/odh/singleuser-service-ref-vpavlin", "SparkCluster/odh/spark-cluster-vpavlin", "AirflowCluster/odh/airflow-cluster-vpavlin", "AirflowBase/odh/airflow-base-vpavlin"
    ])
    expect(fake.requests.filter((r) => !["get", "list", "discovery"].includes(r.verb))).toEqual([])
    expect(fake.store.resourceVersion).toBe(before)
    expect(fake.store.get(configMaps, namespace, "singleuser-service-ref-vpavlin")).toBeUndefined()
  })

  it("a kind the cluster does not serve fails with exit 3, naming it", async () => {
    await fake.stop()
    fake = await FakeApiServer.start({ token: "cli-token" })
    writeFileSync(kubeconfig, fake.kubeconfig(namespace, "cli-token"))
    fake.put(configMaps, namespace, { metadata: { name: "jupyter-singleuser-profiles" }, data: { "jupyterhub-singleuser-profiles.yaml": readFileSync(`${root}packages/core/test/testdata/seed-profiles.yaml`, "utf8") } })
    fake.put(configMaps, namespace, manifest("packages/core/test/testdata/spark-cluster-template.yaml"))
    fake.put(configMaps, namespace, manifest("examples/config/jupyter-services-template.yaml"))
    const { code, stderr } = await jsp(up)
    expect(code).toBe(3)
    expect(stderr).toMatch(/does not serve Airflow(Cluster|Base) \(airflow\.k8s\.io\/v1alpha1\)/u)
  })
})
