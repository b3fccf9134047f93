import { applySpawn, isJsonObject } from "@jsp/core"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, tlsFixture, examplePod, exampleLayers, startTestServer, type TestServer, type TlsFixture } from "./fixture.ts"

const token = "a-token-the-hub-holds-0123456789"
const bearer = { authorization: `Bearer ${token}` }
let tlsFiles: TlsFixture
let open: TestServer
let guarded: TestServer
let openLayers: ReturnType<typeof exampleLayers>
let guardedLayers: ReturnType<typeof exampleLayers>

beforeAll(async () => {
  tlsFiles = await tlsFixture("jsp-api-")
  openLayers = exampleLayers()
  guardedLayers = exampleLayers()
  open = await startTestServer(openLayers.layer, { tlsFiles })
  guarded = await startTestServer(guardedLayers.layer, { tlsFiles, access: { token } })
})
afterAll(async () => {
  await open.close()
  await guarded.close()
})

describe("the spawner API's read-only endpoints", () => {
  it("lists images, the user's last choice marked, and sizes", async () => {
    const images = await call(open, "GET", "/api/images?user=vpavlin")
    expect(images.status).toBe(200)
    expect(JSON.stringify(images.json)).toMatch(/s2i-/u)
    const sizes = await call(open, "GET", "/api/sizes")
    expect(sizes.status).toBe(200)
    const names = isJsonObject(sizes.json) && Array.isArray(sizes.json["sizes"]) ? sizes.json["sizes"].map((s) => isJsonObject(s) ? s["name"] : undefined) : []
    expect(names).toEqual(["Small", "Medium", "Large"])
    const ui = await call(open, "GET", "/api/ui")
    expect(ui.status).toBe(200)
    expect(isJsonObject(ui.json) && "ui" in ui.json).toBe(true)
  })

  it("serves the options form for a user, escaped HTML with the two dropdowns", async () => {
    const form = await call(open, "GET", "/form?user=vpavlin")
    expect(form.status).toBe(200)
    expect(form.headers["content-type"]).toBe("text/html; charset=utf-8")
    expect(form.text).toMatch(/<select[^>]*name="custom_image"/u)
    expect(form.text).toMatch(/<select[^>]*name="size"/u)
    expect((await call(open, "GET", "/form")).status).toBe(400)
    expect((await call(open, "GET", "/form?user=")).status).toBe(400)
    expect((await call(open, "GET", "/api/images?user=")).status).toBe(200)
    expect((await call(guarded, "GET", "/form?user=vpavlin")).status).toBe(401)
    expect((await call(guarded, "GET", "/form?user=vpavlin", { headers: bearer })).status).toBe(200)
  })

  it("needs the token when one is configured", async () => {
    expect((await call(guarded, "GET", "/api/sizes")).status).toBe(401)
    expect((await call(guarded, "GET", "/api/sizes", { headers: { authorization: "Bearer wrong" } })).status).toBe(401)
    expect((await call(guarded, "GET", "/api/sizes", { headers: bearer })).status).toBe(200)
    // The API server and the kubelet never hold it.
    expect((await call(guarded, "GET", "/healthz")).status).toBe(200)
    expect((await call(guarded, "GET", "/readyz")).status).toBe(200)
  })
})

describe("users' settings", () => {
  it("are refused without a token configured, saying how to enable them", async () => {
    for (const method of ["GET", "PUT"]) {
      const answer = await call(open, method, "/api/users/alice/settings", { body: method === "PUT" ? { last_selected_size: "Small" } : undefined })
      expect(answer.status).toBe(403)
      expect(JSON.stringify(answer.json)).toMatch(/--api-token-file/u)
    }
    expect(openLayers.store.documents.size).toBe(0)
  })

  it("are written validated and read back with the token", async () => {
    const put = await call(guarded, "PUT", "/api/users/al%C3%AFce/settings", { body: { last_selected_size: "Medium", env: [{ name: "DEBUG", value: "1" }] }, headers: bearer })
    expect(put.status).toBe(200)
    expect(guardedLayers.store.documents.get("alïce")).toMatchObject({ last_selected_size: "Medium" })
    const bad = await call(guarded, "PUT", "/api/users/alice/settings", { body: { last_selected_size: "Gigantic", admin: true }, headers: bearer })
    expect(bad.status).toBe(422)
    expect(JSON.stringify(bad.json)).toMatch(/admin/u)
    const missing = await call(guarded, "GET", "/api/users/nobody/settings", { headers: bearer })
    expect(missing.status).toBe(404)
  })
})

describe("POST /api/pods/apply", () => {
  it("returns exactly what jsp apply prints, warnings in Warning headers", async () => {
    const pod = examplePod()
    const answer = await call(guarded, "POST", "/api/pods/apply", { body: { pod, size: "Huge" }, headers: bearer })
    // An unknown size asked for is the caller's error, as for jsp apply.
    expect(answer.status).toBe(422)
    const ok = await call(guarded, "POST", "/api/pods/apply", { body: { pod, size: "Large", groups: ["data-science"] }, headers: bearer })
    expect(ok.status).toBe(200)
    const expected = await Effect.runPromise(applySpawn(pod, { size: "Large", groups: ["data-science"] }).pipe(Effect.provide(guardedLayers.layer)))
    expect(ok.json).toEqual(expected.pod)
  })

  it("answers a bad request with 422 naming the field", async () => {
    const cases = [{ body: { user: "x" }, says: /pod/u }, { body: { pod: examplePod(), colour: "red" }, says: /colour/u }, { body: { pod: [] }, says: /pod/u }]
    for (const { body, says } of cases) {
      const answer = await call(guarded, "POST", "/api/pods/apply", { body, headers: bearer })
      expect(answer.status).toBe(422)
      expect(JSON.stringify(answer.json)).toMatch(says)
    }
    expect((await call(guarded, "POST", "/api/pods/apply", { raw: "{", headers: bearer })).status).toBe(400)
    expect((await call(open, "POST", "/api/pods/apply", { body: { pod: examplePod() } })).status).toBe(403)
  })
})

describe("services for the hub's hooks", () => {
  it("are deployed by POST (their variables returned) and torn down by DELETE", async () => {
    const up = await call(guarded, "POST", "/api/users/vpavlin/services", { body: { image: "s2i-spark-notebook:3.6" }, headers: bearer })
    expect(up.status).toBe(200)
    expect(up.json).toMatchObject({ env: { SPARK_CLUSTER: "spark-cluster-vpavlin" } })
    expect([...guardedLayers.gateway.objects.keys()]).toContain("SparkCluster/spark-cluster-vpavlin")
    const down = await call(guarded, "DELETE", "/api/users/vpavlin/services", { headers: bearer })
    expect(down.status).toBe(204)
    expect([...guardedLayers.gateway.objects.keys()]).not.toContain("SparkCluster/spark-cluster-vpavlin")
    expect((await call(open, "DELETE", "/api/users/vpavlin/services")).status).toBe(403)
  })
})

describe("routing", () => {
  it("answers unknown paths with 404 and wrong methods with 405", async () => {
    expect((await call(open, "GET", "/nope")).status).toBe(404)
    expect((await call(open, "GET", "/api/users/%E0%A4%A/settings")).status).toBe(404)
    const wrong = await call(open, "GET", "/mutate")
    expect(wrong.status).toBe(405)
    expect(wrong.headers["allow"]).toBe("POST")
  })

  it("counts requests in /metrics", async () => {
    await call(open, "GET", "/api/sizes")
    const metrics = await call(open, "GET", "/metrics")
    expect(metrics.status).toBe(200)
    expect(metrics.text).toMatch(/jsp_api_requests_total\{route="sizes",status="200"\} [1-9]/u)
    expect(metrics.text).toMatch(/jsp_request_duration_seconds_bucket/u)
  })
})
