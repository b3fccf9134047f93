import { Effect, Option } from "effect"
import type { Configuration } from "../decode/configuration.ts"
import type { Decoded } from "../decode/schema.ts"
import { warning } from "../errors/warning.ts"
import { ConfigSource } from "../ports.ts"
import { readUserSettings, type UserSettings } from "../user-settings/read.ts"

/** The configuration in force and the warnings found loading it (SPEC 1). */
export const loadConfiguration = Effect.fnUntraced(function*() {
  return yield* (yield* ConfigSource).configuration
})

/** A user's settings as a spawn reads them: none when they have no document, or a broken one. */
export type UserSettingsRead = Decoded<UserSettings | undefined>

/**
 * Reads a user's settings from the source; a broken document only warns, it never stops a
 * spawn. Each stored document is read once per configuration (the source hands out the same
 * document while it is unchanged).
 */
export const loadUserSettings = Effect.fnUntraced(function*(user: string, configuration: Configuration) {
  const found = yield* Effect.result((yield* ConfigSource).userSettings(user))
  if (found._tag === "Failure") {
    if (found.failure._tag === "SourceUnavailable") return yield* Effect.fail(found.failure)
    const warnings = found.failure.problems.map((p) => warning(found.failure.source, `${p.message} (user settings ignored)`, p.path))
    return { value: undefined, warnings } satisfies UserSettingsRead
  }
  if (Option.isNone(found.success)) return { value: undefined, warnings: [] } satisfies UserSettingsRead
  const raw = found.success.value
  const cached = configuration.caches.userSettings.get(raw)
  if (cached !== undefined) return cached satisfies UserSettingsRead
  const read = readUserSettings(raw.source, raw.content, { user, ui: configuration.ui })
  configuration.caches.userSettings.set(raw, read)
  return read satisfies UserSettingsRead
})

/** How the source is doing (synced, errors, each document's version in force). */
export const sourceStatus = Effect.fnUntraced(function*() {
  return yield* (yield* ConfigSource).status
})
