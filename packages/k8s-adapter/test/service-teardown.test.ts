import { configMaps, customResource, type FakeApiServer, pods } from "@jsp/kube-fake"
import { ServiceGateway } from "@jsp/core"
import { Effect, Layer, type Scope } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Cluster, ClusterServiceGateway, ServiceTeardown, type ServiceTeardownOptions } from "../src/index.ts"
import { eventually, fastWatch, namespace, startFakeCluster, stopFakeCluster } from "./helpers.ts"

let fake: FakeApiServer
let cluster: Cluster
let scope: Scope.Closeable
beforeEach(async () => {
  ({ fake, cluster, scope } = await startFakeCluster())
})
afterEach(() => stopFakeCluster({ fake, cluster, scope }))

const sparkType = customResource("radanalytics.io", "v1", "SparkCluster", "sparkclusters")
const gateway = () => ClusterServiceGateway(cluster)

/** Deploys a user's services as `up` would: the reference ConfigMap and a SparkCluster it owns. */
const deploy = async (user: string) => {
  await Effect.runPromise(Effect.provide(ServiceGateway.use((g) => Effect.gen(function*() {
    const owner = yield* g.ensureOwner(user)
    yield* g.submit({
      apiVersion: "radanalytics.io/v1",
      kind: "SparkCluster",
      metadata: { name: `spark-${user}`, ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: owner.name, uid: owner.uid }] },
      spec: {}
    })
  })), gateway()))
}

const pod = (name: string, user: string, labels: Record<string, string> = { component: "singleuser-server" }) =>
  fake.put(pods, namespace, { apiVersion: "v1", kind: "Pod", metadata: { name, labels, annotations: { "hub.jupyter.org/username": user } }, spec: { containers: [{ name: "notebook", image: "x" }] } })

const owns = (user: string) => fake.store.get(configMaps, namespace, `singleuser-service-ref-${user}`) !== undefined
const spark = (user: string) => fake.store.get(sparkType, namespace, `spark-${user}`) !== undefined

const start = (options: ServiceTeardownOptions = {}) =>
  Effect.runPromise(Layer.buildWithScope(ServiceTeardown(cluster, { ...fastWatch, ...options }).pipe(Layer.provide(gateway())), scope))

describe("ServiceTeardown", () => {
  it("tears a user's services down when their last server pod is deleted, not before", async () => {
    await deploy("alice")
    await deploy("bob")
    pod("jupyter-alice", "alice")
    pod("jupyter-bob", "bob")
    pod("jupyter-bob-gpu", "bob")
    pod("something-else", "alice", { app: "other" })
    await start()
    fake.remove(pods, namespace, "jupyter-bob")
    fake.remove(pods, namespace, "something-else")
    // bob still has a server; alice's unrelated pod is not one.
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect([owns("alice"), owns("bob")]).toEqual([true, true])
    fake.remove(pods, namespace, "jupyter-bob-gpu")
    await eventually(() => !owns("bob"), 5_000)
    await eventually(() => !spark("bob"), 5_000)
    expect(owns("alice") && spark("alice")).toBe(true)
    fake.remove(pods, namespace, "jupyter-alice")
    await eventually(() => !owns("alice") && !spark("alice"), 5_000)
  })

  it("at start-up, tears down the services of users whose pods went while jsp was down, after the grace", async () => {
    await deploy("carol")
    await deploy("dave")
    await deploy("erin")
    pod("jupyter-dave", "dave")
    await start({ startupGraceMs: 0 })
    await eventually(() => !owns("carol") && !spark("carol") && !owns("erin"), 5_000)
    expect(owns("dave")).toBe(true)
  })

  it("leaves a reference younger than the grace alone: the hub deploys services before the pod", async () => {
    await deploy("frank")
    await start({ startupGraceMs: 60_000 })
    await new Promise((resolve) => setTimeout(resolve, 200))
    expect(owns("frank")).toBe(true)
  })
})
