import { Effect, Option } from "effect"
import { type Configuration, combineDocuments } from "./configuration.ts"
import type { InvalidConfiguration, InvalidDocument, RequestAboveLimit, SourceUnavailable, UnknownSize } from "./errors.ts"
import type { GpuMode } from "./gpu.ts"
import type { JsonObject } from "./json.ts"
import { applyToPod } from "./pod.ts"
import { ConfigSource } from "./ports.ts"
import { type Resolution, type ResolveRequest, resolveProfile, type UnknownSizePolicy } from "./resolve.ts"
import { readUserSettings, type UserSettings } from "./user-settings.ts"

/** The combined configuration and the warnings found loading it. */
export interface LoadedConfiguration {
  readonly configuration: Configuration
  readonly warnings: ReadonlyArray<string>
}

/** Reads every configuration document from the source and combines them (SPEC 1). */
export const loadConfiguration = Effect.fn("loadConfiguration")(function*() {
  const { documents, warnings } = yield* (yield* ConfigSource).documents
  return { configuration: combineDocuments(documents), warnings } satisfies LoadedConfiguration
})

/** A user's settings as read: none when they have no document (or a broken one). */
export interface UserSettingsRead {
  readonly value: UserSettings | undefined
  readonly warnings: ReadonlyArray<string>
}

/** Reads a user's settings; a broken document only warns, it never stops a spawn. */
export const loadUserSettings = Effect.fn("loadUserSettings")(function*(user: string, configuration: Configuration) {
  const found = yield* Effect.result((yield* ConfigSource).userSettings(user))
  if (found._tag === "Failure") {
    if (found.failure._tag === "SourceUnavailable") return yield* Effect.fail(found.failure)
    return { value: undefined, warnings: [`${found.failure.message} (user settings ignored)`] } satisfies UserSettingsRead
  }
  return Option.match(found.success, {
    onNone: (): UserSettingsRead => ({ value: undefined, warnings: [] }),
    onSome: (raw): UserSettingsRead => readUserSettings(raw.source, raw.content, { user, ui: configuration.ui })
  })
})

/** Resolves a spawn against the configured source: configuration, the user's settings, then the pure resolution. */
export const resolveSpawn = Effect.fn("resolveSpawn")(function*(request: ResolveRequest, unknownSize: UnknownSizePolicy = "error") {
  const loaded = yield* loadConfiguration()
  const settings = yield* loadUserSettings(request.user, loaded.configuration)
  const resolution = yield* Effect.fromResult(resolveProfile(loaded.configuration, settings.value, request, unknownSize))
  return {
    ...resolution,
    warnings: [...loaded.warnings, ...settings.warnings, ...resolution.warnings]
  } satisfies Resolution
})

/** Options for applying a spawn to a pod. */
export interface ApplyOptions {
  readonly gpuMode?: GpuMode
  readonly defaultMountPath?: string
  readonly unknownSize?: UnknownSizePolicy
}

/** Resolves a spawn and applies it to the pod (SPEC 5): the same function behind the CLI and the webhook. */
export const applySpawn = Effect.fn("applySpawn")(function*(pod: unknown, request: ResolveRequest, options: ApplyOptions = {}) {
  const resolution = yield* resolveSpawn(request, options.unknownSize)
  const result: JsonObject = yield* Effect.fromResult(applyToPod(pod, resolution.merged, {
    user: request.user,
    ...(options.gpuMode === undefined ? {} : { gpuMode: options.gpuMode }),
    ...(options.defaultMountPath === undefined ? {} : { defaultMountPath: options.defaultMountPath })
  }))
  return { pod: result, resolution }
})

/** Every error a spawn can fail with. */
export type SpawnError = InvalidConfiguration | InvalidDocument | SourceUnavailable | UnknownSize | RequestAboveLimit
