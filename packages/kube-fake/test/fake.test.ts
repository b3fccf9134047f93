import { request as httpRequest } from "node:http"
import { ApiException, CoreV1Api, Observable, CustomObjectsApi, KubeConfig, KubernetesObjectApi, makeInformer, type V1ConfigMap, Watch } from "@kubernetes/client-node"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { configMaps, FakeApiServer } from "../src/index.ts"

// The fake is only worth what the real client makes of it: every test talks through @kubernetes/client-node.
let fake: FakeApiServer
let kc: KubeConfig
let core: CoreV1Api
const ns = "odh"

beforeEach(async () => {
  fake = await FakeApiServer.start({ token: "sekret", gcDelayMs: 5, bookmarkIntervalMs: 50 })
  kc = new KubeConfig()
  kc.loadFromOptions({
    clusters: [{ name: "fake", server: fake.url, skipTLSVerify: true }],
    users: [{ name: "u", token: "sekret" }],
    contexts: [{ name: "fake", cluster: "fake", user: "u", namespace: ns }],
    currentContext: "fake"
  })
  core = kc.makeApiClient(CoreV1Api)
})
afterEach(() => fake.stop())

const statusOf = async (p: Promise<unknown>): Promise<{ code: number; reason: string }> => {
  try {
    await p
    return { code: 200, reason: "" }
  } catch (e) {
    if (!(e instanceof ApiException)) throw e
    const body: unknown = typeof e.body === "string" ? JSON.parse(e.body) : undefined
    const reason = typeof body === "object" && body !== null && "reason" in body ? String(body.reason) : ""
    return { code: e.code, reason }
  }
}

const until = async (check: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms
  while (!check()) {
    if (Date.now() > end) throw new Error("timed out")
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe("the API-server double, through the real client", () => {
  it("creates, reads, replaces and deletes, with uid, resourceVersion and creationTimestamp", async () => {
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "cm-a", labels: { a: "1" } }, data: { k: "v" } } })
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/u)
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date)
    const rv = created.metadata?.resourceVersion
    const read = await core.readNamespacedConfigMap({ name: "cm-a", namespace: ns })
    expect(read.data).toEqual({ k: "v" })
    const replaced = await core.replaceNamespacedConfigMap({ name: "cm-a", namespace: ns, body: { ...read, data: { k: "w" } } })
    expect(Number(replaced.metadata?.resourceVersion)).toBeGreaterThan(Number(rv))
    expect(replaced.metadata?.uid).toBe(created.metadata?.uid)
    expect(await statusOf(core.replaceNamespacedConfigMap({ name: "cm-a", namespace: ns, body: { ...read, data: { k: "stale" } } }))).toEqual({ code: 409, reason: "Conflict" })
    await core.deleteNamespacedConfigMap({ name: "cm-a", namespace: ns })
    expect(await statusOf(core.readNamespacedConfigMap({ name: "cm-a", namespace: ns }))).toEqual({ code: 404, reason: "NotFound" })
  })

  it("answers like kube-apiserver to conflicts and invalid objects", async () => {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "x" } } })
    expect(await statusOf(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "x" } } }))).toEqual({ code: 409, reason: "AlreadyExists" })
    expect(await statusOf(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "Bad_Name" } } }))).toEqual({ code: 422, reason: "Invalid" })
    expect(await statusOf(core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "y", labels: { a: "not valid!" } } } }))).toEqual({ code: 422, reason: "Invalid" })
    expect(await statusOf(core.listNamespacedConfigMap({ namespace: ns, labelSelector: "a in (b" }))).toEqual({ code: 400, reason: "BadRequest" })
    expect(await statusOf(core.replaceNamespacedConfigMap({ name: "nope", namespace: ns, body: { metadata: { name: "nope" } } }))).toEqual({ code: 404, reason: "NotFound" })
  })

  it("lists by label selector, sorted by name, with the list's resourceVersion", async () => {
    for (const [name, labels] of [["c", { app: "x", tier: "a" }], ["a", { app: "x" }], ["b", { app: "y" }]] as const) {
      fake.put(configMaps, ns, { metadata: { name, labels } })
    }
    fake.put(configMaps, "other", { metadata: { name: "z", labels: { app: "x" } } })
    const names = async (labelSelector: string) => (await core.listNamespacedConfigMap({ namespace: ns, labelSelector })).items.map((i) => i.metadata?.name)
    expect(await names("app=x")).toEqual(["a", "c"])
    expect(await names("app in (x,y),!tier")).toEqual(["a", "b"])
    expect(await names("tier!=a")).toEqual(["a", "b"])
    expect(await names("")).toEqual(["a", "b", "c"])
    expect((await core.listNamespacedConfigMap({ namespace: ns })).metadata?.resourceVersion).toBe(fake.store.resourceVersion)
  })

  it("serves custom resources with discovery, generation, and the 422 for updates without a resourceVersion", async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc)
    const spark = { apiVersion: "radanalytics.io/v1", kind: "SparkCluster", metadata: { name: "spark-alice" }, spec: { workers: 1 } }
    const created = await objects.create(spark)
    expect(created).toMatchObject({ metadata: { namespace: ns } })
    const co = kc.makeApiClient(CustomObjectsApi)
    const got: unknown = await co.getNamespacedCustomObject({ group: "radanalytics.io", version: "v1", namespace: ns, plural: "sparkclusters", name: "spark-alice" })
    expect(got).toMatchObject({ metadata: { generation: 1 }, spec: { workers: 1 } })
    expect(await statusOf(co.replaceNamespacedCustomObject({ group: "radanalytics.io", version: "v1", namespace: ns, plural: "sparkclusters", name: "spark-alice", body: { apiVersion: "radanalytics.io/v1", kind: "SparkCluster", metadata: { name: "spark-alice" }, spec: { workers: 2 } } })))
      .toEqual({ code: 422, reason: "Invalid" })
    expect(fake.requests.map((r) => r.path)).toContain("/apis/radanalytics.io/v1")
    // The request log names each request's API group and resource (discovery has neither).
    expect(fake.requests.map(({ verb, apiGroup, resource }) => [verb, apiGroup, resource])).toEqual([
      ["discovery", undefined, undefined], ["create", "radanalytics.io", "sparkclusters"],
      ["get", "radanalytics.io", "sparkclusters"], ["update", "radanalytics.io", "sparkclusters"]
    ])
    await core.listNamespacedConfigMap({ namespace: ns })
    expect(fake.requests.at(-1)).toMatchObject({ verb: "list", apiGroup: "", resource: "configmaps" })
  })

  it("garbage-collects dependents whose owners are all gone", async () => {
    const owner = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "owner" } } })
    const ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: owner.metadata?.uid ?? "" }]
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "dependent", ownerReferences } } })
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "independent" } } })
    await core.deleteNamespacedConfigMap({ name: "owner", namespace: ns })
    await until(() => fake.store.get(configMaps, ns, "dependent") === undefined)
    expect(fake.store.get(configMaps, ns, "independent")).toBeDefined()
  })

  it("watches: events after a resourceVersion, selector transitions, bookmarks, 410 Gone", async () => {
    fake.put(configMaps, ns, { metadata: { name: "before", labels: { w: "1" } } })
    const start = fake.store.resourceVersion
    const events: Array<string> = []
    const watch = new Watch(kc)
    const request = await watch.watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: start, labelSelector: "w=1", allowWatchBookmarks: true },
      (type: string, object: V1ConfigMap) => events.push(`${type} ${object.metadata?.name ?? object.metadata?.resourceVersion}`), () => undefined)
    fake.put(configMaps, ns, { metadata: { name: "a", labels: { w: "1" } } })
    fake.put(configMaps, ns, { metadata: { name: "a", labels: { w: "2" } } })
    fake.put(configMaps, ns, { metadata: { name: "ignored", labels: { w: "2" } } })
    await until(() => events.some((e) => e.startsWith("BOOKMARK")))
    expect(events.filter((e) => !e.startsWith("BOOKMARK"))).toEqual(["ADDED a", "DELETED a"])
    request.abort()

    fake.store.compact()
    const errors: Array<unknown> = []
    await watch.watch(`/api/v1/namespaces/${ns}/configmaps`, { resourceVersion: start }, (type: string, object: unknown) => errors.push([type, object]), () => undefined)
    await until(() => errors.length > 0)
    expect(errors[0]).toMatchObject(["ERROR", { code: 410, reason: "Expired" }])
  })

  it("an informer lists, then follows changes, and survives dropped watches", async () => {
    fake.put(configMaps, ns, { metadata: { name: "one" } })
    const seen = new Map<string, string>()
    const informer = makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }))
    informer.on("add", (cm) => seen.set(cm.metadata?.name ?? "", JSON.stringify(cm.data ?? {})))
    informer.on("update", (cm) => seen.set(cm.metadata?.name ?? "", JSON.stringify(cm.data ?? {})))
    informer.on("error", () => undefined)
    await informer.start()
    expect([...seen.keys()]).toEqual(["one"])
    fake.dropWatches()
    fake.put(configMaps, ns, { metadata: { name: "two" }, data: { a: "1" } })
    await until(() => seen.get("two") === "{\"a\":\"1\"}")
    await informer.stop()
  })

  it("rejects a wrong token, forbids by verb, and injects failures", async () => {
    const wrong = new KubeConfig()
    wrong.loadFromOptions({ clusters: [{ name: "f", server: fake.url, skipTLSVerify: true }], users: [{ name: "u", token: "wrong" }], contexts: [{ name: "f", cluster: "f", user: "u" }], currentContext: "f" })
    expect((await statusOf(wrong.makeApiClient(CoreV1Api).listNamespacedConfigMap({ namespace: ns }))).code).toBe(401)
    fake.forbid("list", "configmaps")
    expect(await statusOf(core.listNamespacedConfigMap({ namespace: ns }))).toEqual({ code: 403, reason: "Forbidden" })
    fake.allow()
    fake.failNext({ status: 500, count: 1, verb: "list" })
    expect((await statusOf(core.listNamespacedConfigMap({ namespace: ns }))).code).toBe(500)
    expect((await statusOf(core.listNamespacedConfigMap({ namespace: ns }))).code).toBe(200)
    expect(fake.count("list")).toBe(4)
  })

  it("injects 409 Conflict (a stale resourceVersion) or AlreadyExists on the verb asked, leaving the object as it was", async () => {
    const created = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: "cm-c" }, data: { k: "v" } } })
    fake.failNext({ status: 409, count: 1, verb: "update" })
    const replace = () => core.replaceNamespacedConfigMap({ name: "cm-c", namespace: ns, body: { ...created, data: { k: "w" } } })
    const conflict = await replace().then(() => undefined, (e: unknown) => e)
    expect(conflict).toBeInstanceOf(ApiException)
    const body: unknown = conflict instanceof ApiException ? JSON.parse(String(conflict.body)) : undefined
    expect(body).toMatchObject({ code: 409, reason: "Conflict", details: { name: "cm-c", kind: "configmaps" } })
    expect((await core.readNamespacedConfigMap({ name: "cm-c", namespace: ns })).data).toEqual({ k: "v" })
    expect((await replace()).data).toEqual({ k: "w" })
    fake.failNext({ status: 409, reason: "AlreadyExists", count: 1, verb: "get" })
    expect(await statusOf(core.readNamespacedConfigMap({ name: "cm-c", namespace: ns }))).toEqual({ code: 409, reason: "AlreadyExists" })
    expect(fake.requests.filter((r) => r.status === 409).map((r) => r.verb)).toEqual(["update", "get"])
  })
})

describe("a server that accepts and never answers", () => {
  // A raw request with no deadline of its own: only stop() can end it.
  const rawGet = (url: string) => new Promise<string>((resolve) => {
    const req = httpRequest(`${url}/api/v1/namespaces/${ns}/configmaps`, { headers: { authorization: "Bearer sekret" } }, (res) => {
      res.on("data", () => undefined)
      res.on("error", () => resolve(`status ${res.statusCode}, then the connection closed`))
      res.on("end", () => resolve("finished"))
    })
    req.on("error", (e) => resolve(e.message))
    req.end()
  })

  it("hang: headers sends nothing; stop() closes the connection anyway", async () => {
    fake.hang = "headers"
    const pending = rawGet(fake.url)
    await until(() => fake.count("list") === 1)
    expect(fake.requests.at(-1)?.status).toBe(0)
    expect(await fake.connections()).toBe(1)
    const started = Date.now()
    await fake.stop()
    expect(Date.now() - started).toBeLessThan(2_000)
    expect(await pending).toMatch(/socket hang up|ECONNRESET/u)
  })

  it("hang: body sends the headers and part of the body, then nothing", async () => {
    fake.hang = "body"
    const pending = rawGet(fake.url)
    await until(() => fake.count("list") === 1)
    await fake.stop()
    expect(await pending).toMatch(/status 200, then the connection closed|aborted/u)
  })

  it("a client's abort closes its connection", async () => {
    fake.hang = "headers"
    await expect(core.listNamespacedConfigMap({ namespace: ns }, {
      middleware: [{ pre: (ctx) => { ctx.setSignal(AbortSignal.timeout(100)); return new Observable(Promise.resolve(ctx)) }, post: (rsp) => new Observable(Promise.resolve(rsp)) }],
      middlewareMergeStrategy: "append"
    })).rejects.toThrow(/aborted|timeout/iu)
    await until(() => fake.count("list") === 1)
    const end = Date.now() + 2_000
    while ((await fake.connections()) > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10))
    expect(await fake.connections()).toBe(0)
  })
})

describe("faults for a watching client", () => {
  const path = `/api/v1/namespaces/${ns}/configmaps`

  it("hangNext holds only the next matching requests; the ones after are answered", async () => {
    fake.hangNext(1, "watch")
    expect((await statusOf(core.listNamespacedConfigMap({ namespace: ns }))).code).toBe(200)
    const ended: Array<unknown> = []
    const hung = new Watch(kc).watch(path, {}, () => undefined, (e: unknown) => ended.push(e))
    await until(() => fake.requests.some((r) => r.verb === "watch" && r.status === 0))
    const answered = await new Watch(kc).watch(path, {}, () => undefined, () => undefined)
    expect(fake.requests.filter((r) => r.verb === "watch").map((r) => r.status)).toEqual([0, 200])
    answered.abort()
    await fake.stop()
    await hung
    await until(() => ended.length === 1)
  })

  it("watchLifetimeMs ends every watch cleanly; expireWatches sends 410 inside the stream", async () => {
    fake.watchLifetimeMs = 50
    const done: Array<unknown> = []
    await new Watch(kc).watch(path, {}, () => undefined, (e: unknown) => done.push(e ?? "clean"))
    await until(() => done.length === 1)
    expect(done).toEqual(["clean"])
    fake.watchLifetimeMs = undefined
    const events: Array<string> = []
    await new Watch(kc).watch(path, { resourceVersion: fake.store.resourceVersion }, (type: string, object: { code?: number }) => events.push(`${type} ${object.code}`), () => events.push("end"))
    await until(() => fake.store.watchers.size === 1)
    fake.expireWatches()
    await until(() => events.includes("end"))
    expect(events).toEqual(["ERROR 410", "end"])
  })

  it("down: open connections break, new ones are closed at once, until it is up again", async () => {
    const done: Array<unknown> = []
    await new Watch(kc).watch(path, {}, () => undefined, (e: unknown) => done.push(e))
    await until(() => fake.store.watchers.size === 1)
    fake.down = true
    await until(() => done.length === 1)
    expect(done[0]).toBeInstanceOf(Error)
    await expect(core.listNamespacedConfigMap({ namespace: ns })).rejects.toThrow(/other side closed|socket|ECONNRESET|fetch failed/iu)
    fake.down = false
    expect((await statusOf(core.listNamespacedConfigMap({ namespace: ns }))).code).toBe(200)
  })

  it("clearFailures ends a window of injected errors", async () => {
    fake.failNext({ status: 500, count: 1_000, verb: "list" })
    expect((await statusOf(core.listNamespacedConfigMap({ namespace: ns }))).code).toBe(500)
    fake.clearFailures()
    expect((await statusOf(core.listNamespacedConfigMap({ namespace: ns }))).code).toBe(200)
  })
})
