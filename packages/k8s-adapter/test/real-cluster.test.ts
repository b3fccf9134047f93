import { randomUUID } from "node:crypto"
import { CoreV1Api } from "@kubernetes/client-node"
import { loadConfiguration } from "@jsp/core"
import { Effect, Exit, Layer, Result, Scope } from "effect"
import { describe, expect, it } from "vitest"
import { ClusterConfigSource, loadCluster } from "../src/index.ts"
import { eventually } from "./helpers.ts"

// Against a real cluster, only when asked: JSP_TEST_KUBECONFIG (and optionally JSP_TEST_NAMESPACE).
// It uses ConfigMap names of its own, so it never touches a hub's configuration.
const kubeconfig = process.env["JSP_TEST_KUBECONFIG"]

describe.skipIf(kubeconfig === undefined)("against a real cluster (JSP_TEST_KUBECONFIG)", () => {
  it("reads, follows and drops ConfigMaps", async () => {
    const loaded = loadCluster({ kubeconfig, namespace: process.env["JSP_TEST_NAMESPACE"] })
    if (Result.isFailure(loaded)) throw loaded.failure
    const cluster = loaded.success
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api)
    const id = randomUUID().slice(0, 8)
    const names = { configMap: `jsp-test-${id}`, label: { key: "jsp-test", value: id }, key: "profiles.yaml", userSettingsKey: "profile" }
    const body = (name: string, text: string, labelled = false) => ({
      metadata: { name, ...(labelled ? { labels: { "jsp-test": id } } : {}) }, data: { "profiles.yaml": text }
    })
    await core.createNamespacedConfigMap({ namespace: cluster.namespace, body: body(names.configMap, "profiles: [{ name: main }]") })
    await core.createNamespacedConfigMap({ namespace: cluster.namespace, body: body(`jsp-test-${id}-b`, "profiles: [{ name: b }]", true) })
    const scope = await Effect.runPromise(Scope.make())
    try {
      const context = await Effect.runPromise(Layer.buildWithScope(ClusterConfigSource(cluster, { names }), scope))
      const profiles = () => Effect.runPromise(Effect.provide(Effect.map(loadConfiguration(), (l) => l.configuration.profiles.map((p) => p.name)), context))
      expect(await profiles()).toEqual(["main", "b"])
      await core.replaceNamespacedConfigMap({ name: names.configMap, namespace: cluster.namespace, body: body(names.configMap, "profiles: [{ name: edited }]") })
      await eventually(async () => (await profiles())[0] === "edited", 5_000)
      await core.deleteNamespacedConfigMap({ name: `jsp-test-${id}-b`, namespace: cluster.namespace })
      await eventually(async () => (await profiles()).length === 1, 5_000)
    } finally {
      await Effect.runPromise(Scope.close(scope, Exit.void))
      for (const name of [names.configMap, `jsp-test-${id}-b`]) {
        await core.deleteNamespacedConfigMap({ name, namespace: cluster.namespace }).catch(() => undefined)
      }
    }
  }, 30_000)
})
