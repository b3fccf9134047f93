import { configMaps, customResource, FakeApiServer } from "@jsp/kube-fake"
import { type KubeObject, ServiceGateway, SourceUnavailable } from "@jsp/core"
import { Effect, Exit, Option } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Cluster, ClusterServiceGateway } from "../src/index.ts"
import { eventually, namespace, startFake } from "./helpers.ts"

let fake: FakeApiServer
let cluster: Cluster
beforeEach(async () => {
  ({ fake, cluster } = await startFake())
})
afterEach(async () => {
  await fake.stop()
})

const sparkType = customResource("radanalytics.io", "v1", "SparkCluster", "sparkclusters")
const run = <A>(use: (gateway: ServiceGateway["Service"]) => Effect.Effect<A, SourceUnavailable>) =>
  Effect.runPromise(Effect.provide(ServiceGateway.use(use), ClusterServiceGateway(cluster)))
const runExit = <A>(use: (gateway: ServiceGateway["Service"]) => Effect.Effect<A, SourceUnavailable>) =>
  Effect.runPromiseExit(Effect.provide(ServiceGateway.use(use), ClusterServiceGateway(cluster)))
const failureOf = (exit: Exit.Exit<unknown, SourceUnavailable>): SourceUnavailable => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail") throw new Error(`expected a failure, got ${String(exit.cause)}`)
  return reason.error
}

const spark = (owner: { uid: string; name: string }, workers = 1): KubeObject => ({
  apiVersion: "radanalytics.io/v1",
  kind: "SparkCluster",
  metadata: {
    name: "spark-cluster-vpavlin",
    labels: { "opendatahub.io/component": "jupyterhub" },
    ownerReferences: [{ apiVersion: "v1", kind: "ConfigMap", name: owner.name, uid: owner.uid }]
  },
  spec: { worker: { instances: String(workers) }, master: { instances: "1" } }
})

describe("ClusterServiceGateway", () => {
  it("ensures the reference ConfigMap, submits a SparkCluster owned by it, reads it back; removing the owner collects it", async () => {
    const owner = await run((g) => g.ensureOwner("vpavlin"))
    expect(owner).toMatchObject({ apiVersion: "v1", kind: "ConfigMap", name: "singleuser-service-ref-vpavlin" })
    expect(owner.uid).toBe(fake.store.get(configMaps, namespace, owner.name)?.["metadata"] && (fake.store.get(configMaps, namespace, owner.name) as { metadata: { uid: string } }).metadata.uid)
    expect(await run((g) => g.ensureOwner("vpavlin"))).toEqual(owner)
    const stored = await run((g) => g.submit(spark(owner)))
    expect(stored.metadata["namespace"]).toBe(namespace)
    expect(JSON.parse(JSON.stringify(stored))).toEqual(stored)
    const read = await run((g) => g.read(spark(owner)))
    expect(Option.isSome(read)).toBe(true)
    await run((g) => g.removeOwner("vpavlin"))
    await eventually(() => fake.store.get(sparkType, namespace, "spark-cluster-vpavlin") === undefined)
    expect(Option.isNone(await run((g) => g.read(spark(owner))))).toBe(true)
    await run((g) => g.removeOwner("vpavlin"))
  })

  it("replaces an object that exists (409 AlreadyExists), leaving one", async () => {
    const owner = await run((g) => g.ensureOwner("vpavlin"))
    await run((g) => g.submit(spark(owner, 1)))
    const again = await run((g) => g.submit(spark(owner, 3)))
    expect(again["spec"]).toMatchObject({ worker: { instances: "3" } })
    expect(fake.store.list(sparkType, namespace, []).length).toBe(1)
  })

  it("a replace refused for a stale resourceVersion (409 Conflict) reads the object again and retries, leaving one with the new spec", async () => {
    const owner = await run((g) => g.ensureOwner("vpavlin"))
    await run((g) => g.submit(spark(owner, 1)))
    const [gets, updates] = [fake.count("get"), fake.count("update")]
    fake.failNext({ status: 409, reason: "Conflict", count: 1, verb: "update", plural: "sparkclusters" })
    const stored = await run((g) => g.submit(spark(owner, 3)))
    expect(stored["spec"]).toMatchObject({ worker: { instances: "3" } })
    // create → 409 AlreadyExists → get → update → 409 Conflict → get → update
    expect(fake.requests.slice(-5).map((r) => `${r.verb} ${r.status}`)).toEqual(["create 409", "get 200", "update 409", "get 200", "update 200"])
    expect([fake.count("get") - gets, fake.count("update") - updates]).toEqual([2, 2])
    const all = fake.store.list(sparkType, namespace, [])
    expect(all.length).toBe(1)
    expect(all[0]?.["spec"]).toEqual({ worker: { instances: "3" }, master: { instances: "1" } })
  })

  it("a Conflict on every replace gives up after a bounded number of tries, naming the object", async () => {
    const owner = await run((g) => g.ensureOwner("vpavlin"))
    await run((g) => g.submit(spark(owner, 1)))
    const updates = fake.count("update")
    fake.failNext({ status: 409, count: 1_000, verb: "update" })
    const error = failureOf(await runExit((g) => g.submit(spark(owner, 3))))
    const tries = fake.count("update") - updates
    expect(tries).toBeGreaterThan(1)
    expect(tries).toBeLessThan(10)
    expect(error).toMatchObject({ _tag: "SourceUnavailable", reason: "conflict", verb: "update", resource: "SparkCluster (radanalytics.io/v1)", name: "spark-cluster-vpavlin" })
    expect(error.message).toContain("update SparkCluster (radanalytics.io/v1) spark-cluster-vpavlin: conflict (409)")
    expect(error.message).toContain(`still in conflict after ${tries} replaces`)
    expect(fake.store.get(sparkType, namespace, "spark-cluster-vpavlin")?.["spec"]).toMatchObject({ worker: { instances: "1" } })
  })

  it("retries a create that got 500 or 429 without a duplicate", async () => {
    const owner = await run((g) => g.ensureOwner("vpavlin"))
    fake.failNext({ status: 500, count: 1, verb: "create" })
    await run((g) => g.submit(spark(owner)))
    fake.failNext({ status: 429, count: 1, verb: "create" })
    await run((g) => g.submit(spark(owner, 2)))
    expect(fake.store.list(sparkType, namespace, []).length).toBe(1)
  })

  it("two submits at once leave exactly one object", async () => {
    const owner = await run((g) => g.ensureOwner("vpavlin"))
    await Promise.all([run((g) => g.submit(spark(owner, 1))), run((g) => g.submit(spark(owner, 2))), run((g) => g.ensureOwner("vpavlin"))])
    expect(fake.store.list(sparkType, namespace, []).length).toBe(1)
    expect(fake.store.list(configMaps, namespace, []).length).toBe(1)
  })

  it("a kind the cluster does not serve is a clear not-found", async () => {
    const error = failureOf(await runExit((g) => g.submit({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w-vpavlin" } })))
    expect(error).toMatchObject({ reason: "not-found" })
    expect(error.message).toMatch(/does not serve Widget \(example\.com\/v1\)/u)
  })

  it("failures are typed and name the object: forbidden (with the RBAC verb), invalid, unreachable", async () => {
    const owner = await run((g) => g.ensureOwner("vpavlin"))
    fake.forbid("create", "sparkclusters")
    const forbidden = failureOf(await runExit((g) => g.submit(spark(owner))))
    expect(forbidden).toMatchObject({ reason: "forbidden", verb: "create", resource: "SparkCluster (radanalytics.io/v1)", name: "spark-cluster-vpavlin" })
    expect(forbidden.message).toContain("needs RBAC permission to \"create\" \"SparkCluster (radanalytics.io/v1)\"")
    fake.allow()
    const bad = spark(owner)
    const invalid = failureOf(await runExit((g) => g.submit({ ...bad, metadata: { ...bad.metadata, labels: { app: "not valid!" } } })))
    expect(invalid).toMatchObject({ reason: "invalid", verb: "create", name: "spark-cluster-vpavlin" })
    expect(invalid.message).toMatch(/the API server refused it \(422\).*metadata\.labels/u)
    await fake.stop()
    const unreachable = failureOf(await runExit((g) => g.submit(spark(owner))))
    expect(unreachable).toMatchObject({ reason: "unreachable", verb: "create", name: "spark-cluster-vpavlin" })
    fake = await FakeApiServer.start()
  })

  it("a server that never answers fails the submit as a timeout", async () => {
    const owner = await run((g) => g.ensureOwner("vpavlin"))
    fake.hang = "headers"
    const started = Date.now()
    const error = failureOf(await runExit((g) => g.submit(spark(owner))))
    expect(error).toMatchObject({ reason: "timeout" })
    expect(Date.now() - started).toBeLessThan(10_000)
    fake.hang = false
    await eventually(async () => (await fake.connections()) === 0, 1_500)
  }, 20_000)
})
