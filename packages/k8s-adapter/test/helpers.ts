import { FakeApiServer } from "@jsp/kube-fake"
import { Effect, Exit, Layer, Logger, Result, Scope } from "effect"
import { type Cluster, loadCluster, type WatchOptions } from "../src/index.ts"

export const namespace = "odh"
export const token = "sekret"

/** A fake API server and a cluster configuration pointing at it over plain HTTP. */
export const startFake = async (): Promise<{ fake: FakeApiServer; cluster: Cluster }> => {
  const fake = await FakeApiServer.start({ token, gcDelayMs: 5, bookmarkIntervalMs: 100 })
  const cluster = loadCluster({ server: fake.url, token, namespace, requestTimeoutSeconds: 2 })
  if (Result.isFailure(cluster)) throw new Error(cluster.failure.message)
  return { fake, cluster: cluster.success }
}

/** A fake API server, a cluster pointing at it, and a scope for what a test builds. */
export interface FakeCluster {
  readonly fake: FakeApiServer
  readonly cluster: Cluster
  readonly scope: Scope.Closeable
}

/** Starts a fake API server with a scope of its own (see `stopFakeCluster`). */
export const startFakeCluster = async (): Promise<FakeCluster> => ({ ...await startFake(), scope: await Effect.runPromise(Scope.make()) })

/** Closes the scope (what was built in it stops), then the fake API server. */
export const stopFakeCluster = async ({ fake, scope }: FakeCluster): Promise<void> => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  await fake.stop()
}

/**
 * Watch timings for tests: a fraction of the defaults, so that a fault's outcome arrives in
 * tenths of a second; the bounds tests wait with stay the real ones.
 */
export const fastWatch: WatchOptions = {
  watchHeaderTimeoutMs: 300,
  watchTimeoutSeconds: 5,
  probeIntervalMs: 100,
  restartBackoff: { initialMs: 50, maxMs: 400 }
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
