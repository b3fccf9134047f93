import { configMaps, FakeApiServer } from "@jsp/kube-fake"
import { isJsonObject } from "@jsp/core"
import { ClusterConfigSource, ClusterImageCatalog, ClusterServiceGateway, ClusterUserSettingsStore, loadCluster } from "@jsp/k8s-adapter"
import { Layer, Result } from "effect"
import { readdirSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { parseAllDocuments } from "yaml"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { fastWatch } from "../../k8s-adapter/test/helpers.ts"
import { call, examplePod, examples, reviewOf, startTestServer, type TestServer, tlsFixture } from "./fixture.ts"

const namespace = "odh"
const token = "sekret"
let fake: FakeApiServer
let server: TestServer

beforeAll(async () => {
  fake = await FakeApiServer.start({ token, gcDelayMs: 5, bookmarkIntervalMs: 100 })
  for (const file of readdirSync(examples("config"))) {
    for (const doc of parseAllDocuments(readFileSync(join(examples("config"), file), "utf8"))) {
      const object: unknown = doc.toJS()
      if (isJsonObject(object)) fake.put(configMaps, namespace, object)
    }
  }
  const cluster = loadCluster({ server: fake.url, token, namespace, requestTimeoutSeconds: 2 })
  if (Result.isFailure(cluster)) throw new Error(cluster.failure.message)
  const layer = Layer.mergeAll(
    ClusterConfigSource(cluster.success, { watch: true, ...fastWatch }),
    ClusterUserSettingsStore(cluster.success),
    ClusterImageCatalog(cluster.success),
    ClusterServiceGateway(cluster.success)
  )
  server = await startTestServer(layer, { tlsFiles: await tlsFixture("jsp-cluster-"), staleBoundMs: 300 })
})
afterAll(async () => {
  await server?.close()
  await fake?.stop()
})

const admit = async () => {
  const answer = await call(server, "POST", "/mutate", { body: reviewOf(examplePod()) })
  const response = isJsonObject(answer.json) ? answer.json["response"] : undefined
  return isJsonObject(response) ? response : {}
}

describe("jsp serve over a watched cluster", () => {
  it("answers admissions from the watched cache: no API request per pod", async () => {
    await admit()
    const before = fake.requests.filter((r) => r.verb !== "watch").length
    for (let i = 0; i < 5; i++) expect(await admit()).toMatchObject({ allowed: true, patchType: "JSONPatch" })
    expect(fake.requests.filter((r) => r.verb !== "watch").length).toBe(before)
  })

  it("turns not ready when the cache is stale beyond the bound, while the last good configuration keeps serving", async () => {
    expect((await call(server, "GET", "/readyz")).status).toBe(200)
    fake.down = true
    try {
      const deadline = Date.now() + 10_000
      let ready = await call(server, "GET", "/readyz")
      while (ready.status === 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        ready = await call(server, "GET", "/readyz")
      }
      expect(ready.status).toBe(503)
      expect(JSON.stringify(ready.json)).toMatch(/stale for .* beyond the bound/u)
      expect(await admit()).toMatchObject({ allowed: true, patchType: "JSONPatch" })
    } finally {
      fake.down = false
    }
    const deadline = Date.now() + 10_000
    let ready = await call(server, "GET", "/readyz")
    while (ready.status !== 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      ready = await call(server, "GET", "/readyz")
    }
    expect(ready.status).toBe(200)
  })
})
