import { ConfigSource, type DocumentStatus, InvalidConfiguration } from "@jsp/core"
import { MemoryConfigSource } from "@jsp/core/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { keepHeapCompact, heapCompactor } from "../src/heap-compaction.ts"

/** A source whose status the test changes, counting the loads of its configuration. */
const changingSource = (state: { synced: boolean; documents: ReadonlyArray<DocumentStatus>; loads: number; invalid?: boolean }) =>
  Layer.effect(ConfigSource, Effect.gen(function*() {
    const base = yield* ConfigSource
    return ConfigSource.of({
      ...base,
      configuration: Effect.suspend(() => {
        state.loads++
        return state.invalid === true ? Effect.fail(new InvalidConfiguration({ documents: [] })) : base.configuration
      }),
      status: Effect.sync(() => ({ where: "test", synced: state.synced, restarts: 0, documents: state.documents }))
    })
  })).pipe(Layer.provide(MemoryConfigSource({ documents: [{ source: "a", text: "profiles: []" }] })))

const tick = (ms: number) => Effect.sleep(ms)

describe("heap compaction after configuration loads", () => {
  it("has V8's collection at hand, without putting gc on the program's global object", () => {
    const compact = heapCompactor()
    expect(compact).toBeTypeOf("function")
    compact?.()
    expect(Reflect.has(globalThis, "gc")).toBe(false)
  })

  it("takes a gc the process was started with (--expose-gc) off the global object, and uses it", () => {
    const calls: Array<unknown> = []
    Reflect.set(globalThis, "gc", (options: unknown) => { calls.push(options) })
    try {
      const compact = heapCompactor()
      expect(Reflect.has(globalThis, "gc")).toBe(false)
      compact?.()
      expect(calls).toEqual([{ type: "major", execution: "sync", flavor: "last-resort" }])
    } finally {
      Reflect.deleteProperty(globalThis, "gc")
    }
  })

  it.live("compacts once at start, after the configuration is combined, then once per settled reload", () => {
    const state = { synced: true, documents: [{ source: "a", version: "1" }], loads: 0 }
    const at: Array<number> = []
    return Effect.scoped(Effect.gen(function*() {
      yield* keepHeapCompact(() => at.push(state.loads), { everyMs: 20, minIntervalMs: 0 })
      // The first compaction happened before keepHeapCompact returned, after a load.
      expect(at).toEqual([1])
      yield* tick(150)
      expect(at).toHaveLength(1)
      // An edit: compacted once it has been seen twice in a row.
      state.documents = [{ source: "a", version: "2" }]
      yield* tick(150)
      expect(at).toHaveLength(2)
      // A burst of edits compacts once, after it.
      for (const version of ["3", "4", "5"]) {
        state.documents = [{ source: "a", version }]
        yield* tick(5)
      }
      yield* tick(150)
      expect(at).toHaveLength(3)
    })).pipe(Effect.provide(changingSource(state)))
  })

  it.live("waits while the source is not synced, and keeps to the least interval between compactions", () => {
    const state = { synced: false, documents: [{ source: "a", version: "1" }], loads: 0 }
    let compactions = 0
    return Effect.scoped(Effect.gen(function*() {
      yield* keepHeapCompact(() => compactions++, { everyMs: 20, minIntervalMs: 60_000 })
      yield* tick(100)
      expect(compactions).toBe(0)
      state.synced = true
      yield* tick(100)
      expect(compactions).toBe(1)
      state.documents = [{ source: "a", version: "2" }]
      yield* tick(150)
      expect(compactions).toBe(1)
    })).pipe(Effect.provide(changingSource(state)))
  })

  it.live("compacts an idle server that grew after a burst of requests: once, and not while requests come", () => {
    const state = { synced: true, documents: [{ source: "a", version: "1" }], loads: 0 }
    const server = { answered: 0, resident: 100 }
    let compactions = 0
    const activity = { answered: () => server.answered, residentBytes: () => server.resident }
    return Effect.scoped(Effect.gen(function*() {
      yield* keepHeapCompact(() => {
        compactions++
        server.resident = 100
      }, { everyMs: 10, minIntervalMs: 0, idleMs: 60, growthBytes: 50 }, activity)
      expect(compactions).toBe(1)
      // Busy and growing: no compaction while requests keep coming.
      for (let i = 0; i < 12; i++) {
        server.answered += 10
        server.resident += 10
        yield* tick(10)
      }
      expect(compactions).toBe(1)
      // Idle, grown by more than growthBytes: compacted once.
      yield* tick(150)
      expect(compactions).toBe(2)
      yield* tick(150)
      expect(compactions).toBe(2)
      // Another burst that grows less than growthBytes: left alone.
      server.answered += 5
      server.resident += 20
      yield* tick(150)
      expect(compactions).toBe(2)
    })).pipe(Effect.provide(changingSource(state)))
  })

  it.live("compacts even when the configuration fails to load (the last good one serves)", () => {
    const state = { synced: true, documents: [{ source: "a", version: "1" }], loads: 0, invalid: true }
    let compactions = 0
    return Effect.scoped(keepHeapCompact(() => compactions++, { everyMs: 20 })).pipe(
      Effect.map(() => expect([compactions, state.loads]).toEqual([1, 1])),
      Effect.provide(changingSource(state))
    )
  })
})
