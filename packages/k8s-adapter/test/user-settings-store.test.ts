import { configMaps, type FakeApiServer, secrets } from "@jsp/kube-fake"
import { readUserSettings, UserSettingsStore, userSecretName, userSettingsConfigMapName, writeUserSettings } from "@jsp/core"
import { Effect, Exit, Layer, Option, Scope } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { parse } from "yaml"
import { type Cluster, ClusterConfigSource, ClusterUserSettingsStore } from "../src/index.ts"
import { configMap, namespace, startFakeCluster, stopFakeCluster } from "./helpers.ts"

let fake: FakeApiServer
let cluster: Cluster
let scope: Scope.Closeable

beforeEach(async () => {
  ({ fake, cluster, scope } = await startFakeCluster())
  fake.put(configMaps, namespace, configMap("jupyter-singleuser-profiles", [
    "sizes: [{ name: Small, resources: { limits: { cpu: '1' } } }, { name: Large, resources: { limits: { cpu: '8' } } }]",
    "ui: { gpuConfig: { enabled: true, type: dropdown, gpuDropdown: { end: 2 } } }"
  ].join("\n")))
})
afterEach(() => stopFakeCluster({ fake, cluster, scope }))

const services = async () => {
  const layer = Layer.merge(ClusterConfigSource(cluster, { watch: false }), ClusterUserSettingsStore(cluster))
  const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
  return <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof layer>>) => Effect.runPromise(Effect.provide(effect, context))
}

const storedDocument = (user: string): unknown => {
  const cm = fake.store.get(configMaps, namespace, userSettingsConfigMapName(user))
  const data = cm?.["data"]
  const text = typeof data === "object" && data !== null ? Reflect.get(data, "profile") : undefined
  return typeof text === "string" ? parse(text) : undefined
}

describe("UserSettingsStore over ConfigMaps and Secrets", () => {
  it("creates the per-user ConfigMap with only the allowed keys, and reads it back", async () => {
    const run = await services()
    await run(writeUserSettings("alice", { last_selected_image: "s2i-thoth-notebook:3.6", last_selected_size: "Small", gpu: 1, env: [{ name: "A", value: "1" }] }))
    expect(storedDocument("alice")).toEqual({ last_selected_image: "s2i-thoth-notebook:3.6", last_selected_size: "Small", gpu: 1, env: [{ name: "A", value: "1" }] })
    const read = await run(UserSettingsStore.use((s) => s.read("alice")))
    expect(Option.map(read, (d) => d.content)).toEqual(Option.some(storedDocument("alice")))
  })

  it("puts password values in the user's Secret; the ConfigMap holds only a reference", async () => {
    const run = await services()
    await run(writeUserSettings("alice", { env: [{ name: "TOKEN", value: "hunter2", type: "password" }, { name: "PLAIN", value: "x" }] }))
    const secretName = userSecretName("alice")
    expect(storedDocument("alice")).toEqual({ env: [{ name: "TOKEN", valueFrom: { secretKeyRef: { name: secretName, key: "TOKEN" } } }, { name: "PLAIN", value: "x" }] })
    expect(JSON.stringify(fake.store.get(configMaps, namespace, userSettingsConfigMapName("alice")))).not.toContain("hunter2")
    const secret = fake.store.get(secrets, namespace, secretName)
    expect(secret?.["data"]).toEqual({ TOKEN: Buffer.from("hunter2").toString("base64") })
    // What a spawn then reads is accepted: a reference to the user's own Secret.
    expect(readUserSettings("x", storedDocument("alice"), { user: "alice", ui: {} }).value.env).toHaveLength(2)
  })

  it("removes a password value nothing refers to any more, and never loses one still referred to", async () => {
    const run = await services()
    const secretName = userSecretName("alice")
    const secretData = () => fake.store.get(secrets, namespace, secretName)?.["data"]
    await run(writeUserSettings("alice", { env: [{ name: "TOKEN", value: "one", type: "password" }] }))
    // The ConfigMap cannot be written: the Secret keeps TOKEN, which the stored document still refers to.
    fake.forbid("update", "configmaps")
    const failed = await run(Effect.exit(writeUserSettings("alice", { env: [{ name: "OTHER", value: "two", type: "password" }] })))
    expect(Exit.isFailure(failed)).toBe(true)
    expect(secretData()).toMatchObject({ TOKEN: Buffer.from("one").toString("base64") })
    fake.allow()
    await run(writeUserSettings("alice", { env: [{ name: "OTHER", value: "three", type: "password" }] }))
    expect(secretData()).toEqual({ OTHER: Buffer.from("three").toString("base64") })
    await run(writeUserSettings("alice", { env: [{ name: "PLAIN", value: "x" }] }))
    expect(secretData()).toEqual({})
  })

  it("a write times out instead of hanging", async () => {
    const run = await services()
    fake.latencyMs = 3_000
    const exit = await run(Effect.exit(writeUserSettings("alice", { gpu: 1 })))
    expect(Exit.isFailure(exit) && String(exit.cause)).toMatch(/did not answer in time/u)
  })

  it("rejects keys users may not write, reserved names, unknown sizes and too many GPUs", async () => {
    const run = await services()
    const failure = async (input: unknown) => {
      const exit = await run(Effect.exit(writeUserSettings("alice", input)))
      return Exit.isFailure(exit) ? String(exit.cause) : "written"
    }
    expect(await failure({ resources: { limits: { cpu: "64" } } })).toContain("resources: not allowed: users may only set env, last_selected_image, last_selected_size, gpu")
    expect(await failure({ env: [{ name: "A", value: "b", extra: 1 }] })).toContain("env[0].extra: unknown key")
    expect(await failure({ env: [{ name: "JUPYTERHUB_API_TOKEN", value: "x" }] })).toContain("env[0].name: \"JUPYTERHUB_API_TOKEN\" is reserved")
    expect(await failure({ last_selected_size: "Huge" })).toContain("unknown size \"Huge\" (known sizes: Small, Large)")
    expect(await failure({ gpu: 3 })).toContain("gpu: 3 is above the maximum of 2")
    expect(storedDocument("alice")).toBeUndefined()
    await run(writeUserSettings("alice", { gpu: 2 }))
    expect(storedDocument("alice")).toEqual({ gpu: 2 })
  })

  it("two concurrent writes both survive: a conflict re-reads and re-applies", async () => {
    const run = await services()
    await run(writeUserSettings("alice", { last_selected_image: "old:1" }))
    await Promise.all([
      run(writeUserSettings("alice", { last_selected_image: "new:2" })),
      run(writeUserSettings("alice", { last_selected_size: "Large" })),
      run(writeUserSettings("alice", { gpu: 1 }))
    ])
    expect(storedDocument("alice")).toEqual({ last_selected_image: "new:2", last_selected_size: "Large", gpu: 1 })
    expect(fake.requests.filter((r) => r.status === 409).length).toBeGreaterThan(0)
  })

  it("keeps what it does not own: other keys of the document, other data, labels, annotations, owners", async () => {
    const ownerReferences = [{ apiVersion: "v1", kind: "ConfigMap", name: "owner", uid: "0000" }]
    fake.put(configMaps, namespace, {
      metadata: { name: userSettingsConfigMapName("bob"), labels: { team: "x" }, annotations: { note: "kept" }, ownerReferences },
      data: { profile: "last_selected_size: Small\nnote: kept\n", other: "kept too" },
      binaryData: { blob: "AAEC" }
    })
    const run = await services()
    await run(writeUserSettings("bob", { last_selected_image: "img:1" }))
    expect(storedDocument("bob")).toEqual({ last_selected_size: "Small", note: "kept", last_selected_image: "img:1" })
    const cm = fake.store.get(configMaps, namespace, userSettingsConfigMapName("bob"))
    expect(cm).toMatchObject({
      data: { other: "kept too" }, binaryData: { blob: "AAEC" },
      metadata: { labels: { team: "x", "app.kubernetes.io/managed-by": "jsp" }, annotations: { note: "kept" }, ownerReferences }
    })
  })

  it("values come back exactly as written, whatever YAML would make of them", async () => {
    const run = await services()
    const values = ["0o022", "on", "no", "12:30", "1_000", "~", "true", "0x1F", "1e3", "- a", "#x"]
    await run(writeUserSettings("carol", { env: values.map((value, i) => ({ name: `V${i}`, value })) }))
    const read = await run(UserSettingsStore.use((s) => s.read("carol")))
    const settings = readUserSettings("x", Option.getOrUndefined(Option.map(read, (d) => d.content)), { user: "carol", ui: {} })
    expect(settings.value.env.map((e) => e.value)).toEqual(values)
  })

  it("concurrent writes of different password values: every key the ConfigMap refers to exists in the Secret", async () => {
    const run = await services()
    await Promise.all(["A", "B", "C"].map((name) => run(writeUserSettings("dave", { env: [{ name, value: name.toLowerCase(), type: "password" }] }))))
    const document = storedDocument("dave")
    const env = typeof document === "object" && document !== null ? Reflect.get(document, "env") : undefined
    const referenced = (Array.isArray(env) ? env : []).map((e: unknown) => typeof e === "object" && e !== null ? Reflect.get(Reflect.get(Reflect.get(e, "valueFrom") ?? {}, "secretKeyRef") ?? {}, "key") : undefined)
    const data = fake.store.get(secrets, namespace, userSecretName("dave"))?.["data"]
    expect(referenced).toHaveLength(1)
    for (const k of referenced) expect(Object.keys(typeof data === "object" && data !== null ? data : {})).toContain(k)
  })

  it("a user name that is not a DNS label gets a hashed, valid ConfigMap name", async () => {
    const run = await services()
    await run(writeUserSettings("Ada.Lovelace@example.com", { gpu: 0 }))
    const name = userSettingsConfigMapName("Ada.Lovelace@example.com")
    expect(name).toMatch(/^jupyterhub-singleuser-profile-ada-lovelace-example-com---[0-9a-f]{8}$/u)
    expect(fake.store.get(configMaps, namespace, name)).toBeDefined()
  })
})
