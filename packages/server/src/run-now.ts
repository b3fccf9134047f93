import { type Context, Effect, type Exit } from "effect"

/**
 * Runs an effect at once, in the caller's turn: its exit when it finishes without waiting (a
 * spawn whose configuration is in memory), else a promise of it (a service to deploy, a source to
 * read). On the webhook's path this saves the promise and the turns `runPromise` takes on every
 * request.
 */
export const runNow = <R>(context: Context.Context<R>) => <A, E>(effect: Effect.Effect<A, E, R>): Exit.Exit<A, E> | Promise<Exit.Exit<A, E>> => {
  const fiber = Effect.runForkWith(context)(effect)
  return fiber.pollUnsafe() ?? new Promise((resolve) => fiber.addObserver(resolve))
}
