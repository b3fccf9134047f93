import { FakeApiServer } from "@jsp/kube-fake"
import { Layer, Logger, Result } from "effect"
import { type Cluster, loadCluster } from "../src/index.ts"

export const namespace = "odh"
export const token = "sekret"

/** A fake API server and a cluster configuration pointing at it over plain HTTP. */
export const startFake = async (): Promise<{ fake: FakeApiServer; cluster: Cluster }> => {
  const fake = await FakeApiServer.start({ token, gcDelayMs: 5, bookmarkIntervalMs: 100 })
  const cluster = loadCluster({ server: fake.url, token, namespace, requestTimeoutSeconds: 2 })
  if (Result.isFailure(cluster)) throw new Error(cluster.failure.message)
  return { fake, cluster: cluster.success }
}

/** A ConfigMap manifest holding a configuration document. */
export const configMap = (name: string, document: string, labelled = false, key = "jupyterhub-singleuser-profiles.yaml") => ({
  metadata: { name, ...(labelled ? { labels: { "jupyterhub.opendatahub.io/user": "profile" } } : {}) },
  data: { [key]: document }
})

/** Waits until a condition holds (events arrive asynchronously), failing after `ms`. */
export const eventually = async (check: () => boolean | Promise<boolean>, ms = 3_000): Promise<void> => {
  const end = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > end) throw new Error("condition not reached in time")
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** A logger layer that collects every log line (the cluster source logs through Effect's logger). */
export const logsTo = (lines: Array<string>) =>
  Logger.layer([Logger.make(({ message }) => {
    lines.push((Array.isArray(message) ? message : [message]).map(String).join(" "))
  })])

/** Collects the lines logged while a layer runs, and provides nothing else. */
export const withLogs = <A, E, R>(layer: Layer.Layer<A, E, R>, lines: Array<string>) => layer.pipe(Layer.provide(logsTo(lines)))
