import { Effect, Option } from "effect"
import { UserSettingsStore } from "../ports.ts"
import { readUserSettings } from "../user-settings/read.ts"
import { validateUserSettingsUpdate } from "../user-settings/write.ts"
import { loadConfiguration } from "./configuration.ts"

/** A user's settings as stored now, and what a spawn would ignore of them (SPEC 1); none when they have none. */
export const getUserSettings = Effect.fnUntraced(function*(user: string) {
  const { configuration } = yield* loadConfiguration()
  const stored = yield* (yield* UserSettingsStore).read(user)
  return Option.map(stored, (document) => ({
    document,
    ...readUserSettings(document.source, document.content, { user, ui: configuration.ui })
  }))
})

/** Validates a user's write against the configuration (GPU maximum, known sizes) and stores it (SPEC 1). */
export const writeUserSettings = Effect.fnUntraced(function*(user: string, input: unknown) {
  const { configuration } = yield* loadConfiguration()
  const update = yield* Effect.fromResult(validateUserSettingsUpdate(`settings of ${user}`, input, {
    ui: configuration.ui,
    sizes: [...new Set(configuration.sizes.map((s) => s.name))]
  }))
  return yield* (yield* UserSettingsStore).write(user, update)
})
