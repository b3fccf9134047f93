import { applySpawn, ConfigSource, isJsonObject, type JsonObject } from "@jsp/core"
import { MemoryImageCatalog } from "@jsp/core/testing"
import { Effect, Layer, Option } from "effect"
import jsonPatch from "fast-json-patch"
import { writeFileSync } from "node:fs"
import { request as httpsRequest } from "node:https"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { call, tlsFixture, examplePod, exampleLayers, reviewOf, startTestServer, type TestServer, type TlsFixture } from "./fixture.ts"

let dir: string
let tlsFiles: TlsFixture
let server: TestServer
let layers: ReturnType<typeof exampleLayers>

beforeAll(async () => {
  tlsFiles = await tlsFixture("jsp-webhook-")
  dir = tlsFiles.dir
  layers = exampleLayers()
  server = await startTestServer(layers.layer, { tlsFiles })
})
afterAll(() => server.close())

interface ResponseView {
  readonly uid: string
  readonly allowed: boolean
  readonly patch: ReadonlyArray<jsonPatch.Operation> | undefined
  readonly patchType: unknown
  readonly warnings: ReadonlyArray<string>
  readonly status: unknown
}

const admissionOf = (body: unknown): ResponseView => {
  if (!isJsonObject(body) || body["apiVersion"] !== "admission.k8s.io/v1" || body["kind"] !== "AdmissionReview") throw new Error(`not an AdmissionReview: ${JSON.stringify(body)}`)
  const response = body["response"]
  if (!isJsonObject(response)) throw new Error("no response")
  const patch = typeof response["patch"] === "string" ? JSON.parse(Buffer.from(response["patch"], "base64").toString("utf8")) as ReadonlyArray<jsonPatch.Operation> : undefined
  const warnings = Array.isArray(response["warnings"]) ? response["warnings"].map(String) : []
  return { uid: String(response["uid"]), allowed: response["allowed"] === true, patch, patchType: response["patchType"], warnings, status: response["status"] }
}

const patched = (pod: JsonObject, patch: ReadonlyArray<jsonPatch.Operation> | undefined): unknown =>
  patch === undefined ? pod : jsonPatch.applyPatch(structuredClone(pod), [...patch], true, false).newDocument

// What `jsp apply` prints for the same pod: the same use case over the same layers.
const jspApply = (pod: JsonObject) =>
  Effect.runPromise(applySpawn(pod, {}, { unknownSize: "warn" }).pipe(Effect.provide(layers.layer), Effect.map((r) => r.pod)))

const objectAt = (parent: JsonObject, key: string): JsonObject => {
  const value = parent[key]
  return isJsonObject(value) ? value : {}
}

const podWith = (annotations: Record<string, string>, image?: string): JsonObject => {
  const pod = examplePod()
  const metadata = objectAt(pod, "metadata")
  const spec = objectAt(pod, "spec")
  const containers = Array.isArray(spec["containers"]) ? spec["containers"] : []
  return {
    ...pod,
    metadata: { ...metadata, annotations: { ...objectAt(metadata, "annotations"), ...annotations } },
    spec: { ...spec, containers: containers.map((c, i) => i === 0 && image !== undefined && isJsonObject(c) ? { ...c, image } : c) }
  }
}

describe("POST /mutate", () => {
  it("patches a single-user pod into exactly what jsp apply makes of it", async () => {
    for (const pod of [examplePod(), podWith({ "jsp.opendatahub.io/size": "Medium" }), podWith({}, "s2i-minimal-notebook:v0.0.4")]) {
      const answer = await call(server, "POST", "/mutate?timeout=5s", { body: reviewOf(pod, { uid: "uid-1" }) })
      expect(answer.status).toBe(200)
      const response = admissionOf(answer.json)
      expect(response.uid).toBe("uid-1")
      expect(response.allowed).toBe(true)
      expect(response.patchType).toBe("JSONPatch")
      expect(patched(pod, response.patch)).toEqual(await jspApply(pod))
    }
  })

  it("answers the pod it patched with no patch: reinvocation changes nothing", async () => {
    const pod = podWith({ "jsp.opendatahub.io/size": "Large" })
    const first = admissionOf((await call(server, "POST", "/mutate", { body: reviewOf(pod) })).json)
    const once = patched(pod, first.patch)
    const second = admissionOf((await call(server, "POST", "/mutate", { body: reviewOf(once) })).json)
    expect(second.allowed).toBe(true)
    expect(second.patch).toBeUndefined()
    expect(second.patchType).toBeUndefined()
  })

  it("lets through what is not a single-user pod being created, untouched", async () => {
    const { annotations: _, ...unannotated } = objectAt(examplePod(), "metadata")
    const noUser = { ...examplePod(), metadata: unannotated }
    for (const review of [
      reviewOf(examplePod(), { operation: "UPDATE" }),
      reviewOf(examplePod(), { operation: "DELETE" }),
      reviewOf({ apiVersion: "v1", kind: "Service", metadata: { name: "x" } }, { kind: "Service" }),
      reviewOf(noUser)
    ]) {
      const response = admissionOf((await call(server, "POST", "/mutate", { body: review })).json)
      expect(response).toMatchObject({ allowed: true, patch: undefined, patchType: undefined })
    }
  })

  it("warns of an unknown size and applies the rest", async () => {
    const pod = podWith({ "jsp.opendatahub.io/size": "Huge" })
    const response = admissionOf((await call(server, "POST", "/mutate", { body: reviewOf(pod) })).json)
    expect(response.allowed).toBe(true)
    expect(response.patch?.length).toBeGreaterThan(0)
    expect(response.warnings.join("\n")).toMatch(/Huge/u)
    for (const w of response.warnings) expect(w.length).toBeLessThanOrEqual(120)
  })

  it("answers a malformed request with 400 and a message, never a crash", async () => {
    const cases: ReadonlyArray<{ raw: string; says: RegExp }> = [
      { raw: "{not json", says: /not JSON/u },
      { raw: "[]", says: /AdmissionReview/u },
      { raw: JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { uid: 7 } }), says: /request\.uid/u },
      { raw: JSON.stringify({ apiVersion: "admission.k8s.io/v1beta1", kind: "AdmissionReview", request: {} }), says: /apiVersion/u }
    ]
    for (const { raw, says } of cases) {
      const answer = await call(server, "POST", "/mutate", { raw })
      expect(answer.status).toBe(400)
      expect(JSON.stringify(answer.json)).toMatch(says)
    }
    expect(server.logs.filter((l) => l["outcome"] === "bad-request" && l["status"] === 400).length).toBeGreaterThanOrEqual(cases.length)
    const health = await call(server, "GET", "/healthz")
    expect(health.status).toBe(200)
  })

  it("refuses a body over 1 MiB with 413", async () => {
    const pod = { ...examplePod(), padding: "x".repeat(1024 * 1024) }
    const answer = await call(server, "POST", "/mutate", { body: reviewOf(pod) })
    expect(answer.status).toBe(413)
    expect(JSON.stringify(answer.json)).toMatch(/limit/u)
  })

  it("refuses a chunked body that grows over 1 MiB with 413, not a reset", async () => {
    const answer = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest({ host: "127.0.0.1", port: server.port, method: "POST", path: "/mutate", ca: server.ca, servername: "localhost", agent: false, headers: { "content-type": "application/json" } }, (res) => {
        let text = ""
        res.on("data", (chunk: Buffer) => { text += chunk.toString("utf8") })
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }))
      })
      req.on("error", reject)
      const chunk = Buffer.alloc(64 * 1024, "x")
      for (let i = 0; i < 20; i++) req.write(chunk)
      req.end()
    })
    expect(answer.status).toBe(413)
    expect(answer.text).toMatch(/over the limit of 1048576 bytes/u)
    expect((await call(server, "GET", "/healthz")).status).toBe(200)
  })

  it("counts every request it answers, whatever the route and status", async () => {
    const before = server.answered()
    await call(server, "GET", "/healthz")
    await call(server, "GET", "/no-such-path")
    await call(server, "POST", "/mutate", { raw: "not json" })
    expect(server.answered() - before).toBe(3)
  })

  it("logs each admission as one JSON line without the values of env vars", async () => {
    await call(server, "POST", "/mutate", { body: reviewOf(examplePod(), { uid: "log-me" }) })
    const line = server.logs.find((l) => l["uid"] === "log-me")
    expect(line).toMatchObject({ msg: "admission", user: "vpavlin", namespace: "odh", outcome: "patched" })
    expect(typeof line?.["latencyMs"]).toBe("number")
    const all = JSON.stringify(server.logs)
    expect(all).not.toContain("3f0c1a2b") // the pod's JUPYTERHUB_API_TOKEN
    expect(all).not.toContain("This will appear in all singleuser pods")
  })

  it("deploys services on a real create and puts what they return in the patch; on a dry run it creates nothing", async () => {
    const spark = podWith({}, "s2i-spark-notebook:3.6")
    const dry = admissionOf((await call(server, "POST", "/mutate", { body: reviewOf(spark, { dryRun: true }) })).json)
    expect(dry.allowed).toBe(true)
    expect([...layers.gateway.objects.keys()]).toEqual([])
    expect(JSON.stringify(patched(spark, dry.patch))).not.toContain("SPARK_CLUSTER")
    const real = admissionOf((await call(server, "POST", "/mutate", { body: reviewOf(spark) })).json)
    expect([...layers.gateway.objects.keys()]).toContain("SparkCluster/spark-cluster-vpavlin")
    const result = patched(spark, real.patch)
    expect(JSON.stringify(result)).toContain(JSON.stringify({ name: "SPARK_CLUSTER", value: "spark-cluster-vpavlin" }))
  })
})

describe("POST /mutate when jsp cannot decide", () => {
  const broken = () => {
    const file = join(dir, "broken.yaml")
    writeFileSync(file, "profiles:\n  - name: bad\n    resources: {requests: {cpu: lots}}\n")
    return file
  }

  it("fails open by default: the pod passes unchanged, with a warning saying why", async () => {
    const open = await startTestServer(exampleLayers([broken()]).layer, { tlsFiles })
    try {
      const response = admissionOf((await call(open, "POST", "/mutate", { body: reviewOf(examplePod()) })).json)
      expect(response.allowed).toBe(true)
      expect(response.patch).toBeUndefined()
      expect(response.warnings.join("\n")).toMatch(/profiles not applied/u)
      expect((await call(open, "GET", "/readyz")).status).toBe(503)
    } finally {
      await open.close()
    }
  })

  it("a defect (a bug, not the input or the configuration) also fails open, or closed when asked", async () => {
    const broken = Layer.mergeAll(layers.store.layer, layers.gateway.layer, MemoryImageCatalog([]), Layer.succeed(ConfigSource, ConfigSource.of({
      configuration: Effect.die(new Error("a bug")),
      userSettings: () => Effect.succeed(Option.none()),
      configMapKey: () => Effect.succeed(Option.none()),
      inventory: Effect.die(new Error("a bug")),
      status: Effect.succeed({ where: "test", synced: true, restarts: 0, documents: [] })
    })))
    for (const failOpen of [true, false]) {
      const own = await startTestServer(broken, { tlsFiles, webhook: { failOpen, spawn: {} } })
      try {
        const answer = await call(own, "POST", "/mutate", { body: reviewOf(examplePod(), { uid: "defect" }) })
        expect(answer.status).toBe(200)
        const response = admissionOf(answer.json)
        expect(response.uid).toBe("defect")
        expect(response.allowed).toBe(failOpen)
        expect(response.patch).toBeUndefined()
        expect(failOpen ? response.warnings.join() : JSON.stringify(response.status)).toMatch(/internal error/u)
        expect(own.logs.find((l) => l["msg"] === "admission failed")).toMatchObject({ uid: "defect" })
        // Elsewhere too a defect is a 500 pointing at the log, and the log says what it was.
        const sizes = await call(own, "GET", "/api/sizes")
        expect(sizes.status).toBe(500)
        expect(JSON.stringify(sizes.json)).toMatch(/see jsp's log/u)
        expect(own.logs.find((l) => l["msg"] === "request failed")).toMatchObject({ path: "/api/sizes", error: expect.stringMatching(/a bug/u) })
      } finally {
        await own.close()
      }
    }
  })

  it("with fail-closed, denies the pod with the reason", async () => {
    const closed = await startTestServer(exampleLayers([broken()]).layer, { tlsFiles, webhook: { failOpen: false, spawn: {} } })
    try {
      const response = admissionOf((await call(closed, "POST", "/mutate", { body: reviewOf(examplePod()) })).json)
      expect(response.allowed).toBe(false)
      expect(JSON.stringify(response.status)).toMatch(/cpu|quantity/u)
    } finally {
      await closed.close()
    }
  })
})
