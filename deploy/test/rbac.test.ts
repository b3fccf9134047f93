// The Role of deploy/base grants exactly what jsp's cluster adapters ask of the API server: they run
// against the API-server double, which logs every request's API group, resource and verb, doing
// what a running server does (watch the configuration, list images, write a user's settings with a
// password, deploy the example's services twice and tear them down), and the requests made must be
// the Role's rules, no more and no fewer.
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { applySpawn, getUserSettings, listImages, servicesDown, servicesUp, writeUserSettings } from "@jsp/core"
import {
  ClusterConfigSource,
  ClusterImageCatalog,
  ClusterServiceGateway,
  ClusterUserSettingsStore,
  loadCluster,
  ServiceTeardown
} from "@jsp/k8s-adapter"
import { configMaps, customResource, defaultResourceTypes, FakeApiServer, type ResourceType } from "@jsp/kube-fake"
import { Effect, Exit, Layer, Option, Result, Scope } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { eventually } from "../../packages/k8s-adapter/test/helpers.ts"
import { listAt, type Manifest, readManifests, root, stringsAt } from "./manifests.ts"

const namespace = "jupyterhub"
const token = "sekret"

// The kinds the example's service templates submit, besides the double's own.
const airflowBases = customResource("airflow.k8s.io", "v1alpha1", "AirflowBase", "airflowbases")
const airflowClusters = customResource("airflow.k8s.io", "v1alpha1", "AirflowCluster", "airflowclusters")
const resourceTypes: ReadonlyArray<ResourceType> = [...defaultResourceTypes, airflowBases, airflowClusters]


/** The Role's rules as `group/resource/verb` triples. */
const roleTriples = (role: Manifest): ReadonlyArray<string> =>
  listAt(role, "rules").flatMap((rule) =>
    stringsAt(rule, "apiGroups").flatMap((group) =>
      stringsAt(rule, "resources").flatMap((resource) => stringsAt(rule, "verbs").map((verb) => `${group}/${resource}/${verb}`))))

/** The example configuration and images, as the double serves them. */
const loadExamples = (fake: FakeApiServer): void => {
  for (const dir of ["examples/config", "examples/cluster"]) {
    for (const file of readdirSync(join(root, dir)).filter((f) => f.endsWith(".yaml"))) {
      for (const object of readManifests(join(dir, file))) {
        const type = resourceTypes.find((t) => t.kind === object["kind"])
        if (type === undefined) throw new Error(`${dir}/${file}: the double does not serve ${String(object["kind"])}`)
        fake.put(type, namespace, object)
      }
    }
  }
}

let fake: FakeApiServer
let scope: Scope.Closeable
beforeEach(async () => {
  fake = await FakeApiServer.start({ token, resourceTypes, gcDelayMs: 5 })
  scope = await Effect.runPromise(Scope.make())
})
afterEach(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await fake.stop()
})

describe("the Role of deploy/base", () => {
  it("grants exactly the requests jsp serve's cluster adapters make", async () => {
    loadExamples(fake)
    const cluster = loadCluster({ server: fake.url, token, namespace, requestTimeoutSeconds: 5 })
    if (Result.isFailure(cluster)) throw new Error(cluster.failure.message)
    // As jsp serve builds them (packages/cli/src/serve-layers.ts), the teardown watch of pods included.
    const layer = Layer.mergeAll(
      ClusterConfigSource(cluster.success),
      ClusterImageCatalog(cluster.success),
      ClusterUserSettingsStore(cluster.success),
      ClusterServiceGateway(cluster.success),
      ServiceTeardown(cluster.success).pipe(Layer.provide(ClusterServiceGateway(cluster.success)))
    )
    const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
    const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof layer>>) => Effect.runPromise(Effect.provide(effect, context))

    // The form: images, then a user's settings read and written three times — a password value
    // (its Secret created), another value (replaced), none (its key removed from the Secret).
    expect((await run(listImages("alice"))).images.length).toBeGreaterThan(0)
    expect(Option.isNone(await run(getUserSettings("alice")))).toBe(true)
    for (const env of [[{ name: "TOKEN", value: "one", type: "password" }], [{ name: "TOKEN", value: "two", type: "password" }], []]) {
      await run(writeUserSettings("alice", { last_selected_size: "Small", env }))
    }
    expect(Option.isSome(await run(getUserSettings("alice")))).toBe(true)

    // The webhook: a Spark notebook's pod with its services, twice (created, then replaced), then torn down.
    const pod: unknown = parse(readFileSync(join(root, "examples/pod.yaml"), "utf8"))
    for (let i = 0; i < 2; i++) {
      const { pod: applied } = await run(applySpawn(pod, { user: "alice", image: "s2i-spark-notebook:3.6" }, {}, servicesUp))
      expect(JSON.stringify(applied)).toContain("spark-cluster-alice")
    }
    expect(fake.store.list(airflowClusters, namespace, []).length).toBe(1)
    await run(servicesDown("alice"))
    expect(fake.store.get(configMaps, namespace, "singleuser-service-ref-alice")).toBeUndefined()
    await eventually(() => fake.requests.filter((r) => r.verb === "watch").map((r) => r.resource).includes("pods"), 5_000)

    const made = fake.requests.filter((r) => r.verb !== "discovery")
    // Every request named a kind the double serves (an unknown path would have no resource).
    expect(made.filter((r) => r.resource === undefined)).toEqual([])
    const used = [...new Set(made.map((r) => `${r.apiGroup ?? "?"}/${r.resource ?? "?"}/${r.verb}`))].sort()
    const granted = roleTriples(readManifests("deploy/base/role.yaml")[0] ?? {})
    expect(used).toEqual([...new Set(granted)].sort())
  })
})

