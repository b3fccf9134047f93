// `pnpm bench`, part 2: API requests made by 1,000 resolves once the cluster source has synced.
// Target 0. The original makes 2 + one per labelled ConfigMap + one for the user, per spawn.
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { resolveSpawn } from "@jsp/core"
import { configMaps, FakeApiServer } from "@jsp/kube-fake"
import { Effect, Exit, Layer, Result, Scope } from "effect"
import { ClusterConfigSource, loadCluster } from "../src/index.ts"

const namespace = "odh"
const labelled = 5
const spawns = 1_000
const seed = readFileSync(fileURLToPath(new URL("../../core/test/testdata/seed-profiles.yaml", import.meta.url)), "utf8")

const fake = await FakeApiServer.start({ token: "bench" })
fake.put(configMaps, namespace, { metadata: { name: "jupyter-singleuser-profiles" }, data: { "jupyterhub-singleuser-profiles.yaml": seed } })
for (let i = 0; i < labelled; i++) {
  fake.put(configMaps, namespace, {
    metadata: { name: `team-${i}`, labels: { "jupyterhub.opendatahub.io/user": "profile" } },
    data: { "jupyterhub-singleuser-profiles.yaml": `profiles: [{ name: team-${i}, users: [user-${i}], env: [{ name: TEAM, value: "${i}" }] }]` }
  })
}
const users = Array.from({ length: 100 }, (_, i) => `user-${i}`)
for (const user of users.slice(0, 50)) {
  fake.put(configMaps, namespace, { metadata: { name: `jupyterhub-singleuser-profile-${user}` }, data: { profile: "last_selected_size: Small\n" } })
}

const cluster = loadCluster({ server: fake.url, token: "bench", namespace })
if (Result.isFailure(cluster)) throw cluster.failure
const scope = await Effect.runPromise(Scope.make())
const context = await Effect.runPromise(Layer.buildWithScope(ClusterConfigSource(cluster.success), scope))
const afterSync = fake.count()
const started = performance.now()
for (let i = 0; i < spawns; i++) {
  await Effect.runPromise(Effect.provide(resolveSpawn({ user: users[i % users.length] ?? "", groups: [], image: "s2i-thoth-notebook:3.6" }), context))
}
const elapsed = performance.now() - started
const requests = fake.count() - afterSync
await Effect.runPromise(Scope.close(scope, Exit.void))
await fake.stop()

console.log(`cluster source: ${afterSync} requests to sync (list + watch), then ${requests} API requests for ${spawns} resolves ` +
  `(${(elapsed * 1000 / spawns).toFixed(1)} µs per resolve through the Effect runtime)`)
console.log(`original: ${spawns * (2 + labelled + 1)} requests for the same ${spawns} spawns (2 + ${labelled} labelled ConfigMaps + 1 per user)`)
console.log(`zero API calls per spawn after sync: ${requests === 0 ? "met" : "MISSED"}`)
