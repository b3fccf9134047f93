import { Context, Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { runNow } from "../src/run-now.ts"

const now = runNow(Context.empty())

describe("runNow", () => {
  it("gives the exit at once when the effect does not wait", () => {
    let ran = 0
    const answered = now(Effect.sync(() => ++ran).pipe(Effect.map((n) => n * 2)))
    expect(answered).toEqual(Exit.succeed(2))
    expect(ran).toBe(1)
  })

  it("gives a failure at once, typed", () => {
    const answered = now(Effect.fail("no"))
    expect(answered instanceof Promise).toBe(false)
    expect(answered).toEqual(Exit.fail("no"))
  })

  it("gives a promise of the exit when the effect waits, and runs it once", async () => {
    let ran = 0
    const answered = now(Effect.promise(async () => ++ran).pipe(Effect.flatMap((n) => Effect.succeed(n + 1))))
    expect(answered).toBeInstanceOf(Promise)
    expect(await answered).toEqual(Exit.succeed(2))
    expect(ran).toBe(1)
  })
})
