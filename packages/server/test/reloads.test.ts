import { ConfigSource, type DocumentStatus, InvalidDocument } from "@jsp/core"
import { Effect, Fiber, Layer, Option } from "effect"
import { describe, expect, it } from "vitest"
import { makeMetrics } from "../src/index.ts"
import { countReloads } from "../src/reloads.ts"

const sourceWith = (documents: () => ReadonlyArray<DocumentStatus>) => Layer.succeed(ConfigSource, ConfigSource.of({
  configuration: Effect.die("not read"),
  userSettings: () => Effect.succeed(Option.none()),
  configMapKey: () => Effect.succeed(Option.none()),
  inventory: Effect.die("not read"),
  status: Effect.sync(() => ({ where: "test", synced: true, restarts: 0, documents: documents() }))
}))

const count = async (metrics: ReturnType<typeof makeMetrics>, outcome: string) =>
  (await metrics.reloads.get()).values.find((v) => v.labels.outcome === outcome)?.value ?? 0

describe("configuration reloads in /metrics", () => {
  it("counts each new version of a document, ok when it took effect and error when it was rejected", async () => {
    let documents: ReadonlyArray<DocumentStatus> = [{ source: "cm a", version: "1" }, { source: "cm b", version: "7" }]
    const metrics = makeMetrics()
    const fiber = Effect.runFork(countReloads(metrics, 5).pipe(Effect.provide(sourceWith(() => documents))))
    const settle = () => new Promise((resolve) => setTimeout(resolve, 40))
    try {
      await settle()
      expect(await count(metrics, "ok")).toBe(0)
      documents = [{ source: "cm a", version: "2" }, { source: "cm b", version: "7" }]
      await settle()
      expect(await count(metrics, "ok")).toBe(1)
      const rejected = new InvalidDocument({ source: "cm b", problems: [{ path: "profiles", message: "expected an array" }] })
      documents = [{ source: "cm a", version: "2" }, { source: "cm b", version: "8", inForce: "7", rejected: [rejected] }]
      await settle()
      expect(await count(metrics, "error")).toBe(1)
      expect(await count(metrics, "ok")).toBe(1)
    } finally {
      await Effect.runPromise(Fiber.interrupt(fiber))
    }
  })
})
