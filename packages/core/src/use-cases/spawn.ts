import { Effect, Option } from "effect"
import { type Configuration, combineDocuments, type SourcedDocument } from "../decode/configuration.ts"
import { type InvalidConfiguration, InvalidDocument, MissingInput, type RequestAboveLimit, type SourceUnavailable, type UnknownSize } from "../errors/errors.ts"
import type { GpuMode } from "../merge/gpu.ts"
import { isJsonObject, type JsonObject } from "../internal/json.ts"
import { applyToPod, usernameAnnotation } from "../apply/pod.ts"
import { podSpawnInfo } from "../decode/pod.ts"
import { ConfigSource, UserSettingsStore } from "../ports.ts"
import { type Resolution, type ResolveRequest, resolveProfile, type UnknownSizePolicy } from "../merge/resolve.ts"
import { readUserSettings, type UserSettings } from "../user-settings/read.ts"
import { validateUserSettingsUpdate } from "../user-settings/write.ts"

/** The combined configuration and the warnings found loading it. */
export interface LoadedConfiguration {
  readonly configuration: Configuration
  readonly warnings: ReadonlyArray<string>
}

// A watching source hands out the same documents until something changes: combine (and index) them once.
const combined = new WeakMap<ReadonlyArray<SourcedDocument>, Configuration>()
const combineOnce = (documents: ReadonlyArray<SourcedDocument>): Configuration => {
  let configuration = combined.get(documents)
  if (configuration === undefined) {
    configuration = combineDocuments(documents)
    combined.set(documents, configuration)
  }
  return configuration
}

/** Reads every configuration document from the source and combines them (SPEC 1). */
export const loadConfiguration = Effect.fnUntraced(function*() {
  const { documents, warnings } = yield* (yield* ConfigSource).documents
  return { configuration: combineOnce(documents), warnings } satisfies LoadedConfiguration
})

/** A user's settings as read: none when they have no document (or a broken one). */
export interface UserSettingsRead {
  readonly value: UserSettings | undefined
  readonly warnings: ReadonlyArray<string>
}

/** Reads a user's settings; a broken document only warns, it never stops a spawn. */
export const loadUserSettings = Effect.fnUntraced(function*(user: string, configuration: Configuration) {
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

/** A spawn to resolve; without an image, the user's last selected image is used. */
export type SpawnRequest = Omit<ResolveRequest, "image"> & { readonly image?: string | undefined }

/** Resolves a spawn against the configured source: configuration, the user's settings, then the pure resolution. */
export const resolveSpawn = Effect.fnUntraced(function*(spawn: SpawnRequest, unknownSize: UnknownSizePolicy = "error") {
  const loaded = yield* loadConfiguration()
  const settings = yield* loadUserSettings(spawn.user, loaded.configuration)
  const image = spawn.image ?? settings.value?.lastSelectedImage
  if (image === undefined) {
    return yield* new MissingInput({ what: "image", hint: "name one (--image), or the user must have a last selected image" })
  }
  const request: ResolveRequest = { ...spawn, image }
  const resolution = yield* Effect.fromResult(resolveProfile(loaded.configuration, settings.value, request, unknownSize))
  return {
    ...resolution,
    image,
    warnings: [...loaded.warnings, ...settings.warnings, ...resolution.warnings]
  } satisfies Resolution & { readonly image: string }
})

/** Options for applying a spawn to a pod. */
export interface ApplyOptions {
  readonly gpuMode?: GpuMode | undefined
  readonly defaultMountPath?: string | undefined
  readonly unknownSize?: UnknownSizePolicy | undefined
}

/** What the caller knows of a pod's spawn; the rest is read from the pod itself. */
export interface PodSpawnRequest {
  readonly user?: string | undefined
  readonly groups?: ReadonlyArray<string> | undefined
  readonly image?: string | undefined
  readonly size?: string | undefined
  readonly gpuType?: string | undefined
}

/**
 * Resolves a spawn and applies it to the pod (SPEC 5): the same function behind the CLI and the
 * webhook. User, groups and image default to what the pod says (annotations, notebook container).
 */
export const applySpawn = Effect.fn("applySpawn")(function*(pod: unknown, spawn: PodSpawnRequest, options: ApplyOptions = {}) {
  if (!isJsonObject(pod)) return yield* new InvalidDocument({ source: "pod", problems: [{ path: "", message: "expected a Pod object" }] })
  const fromPod = podSpawnInfo(pod)
  const user = spawn.user ?? fromPod.user
  if (user === undefined) {
    return yield* new MissingInput({ what: "user", hint: `name one, or annotate the pod with ${usernameAnnotation}` })
  }
  const image = spawn.image ?? fromPod.image
  if (image === undefined) {
    return yield* new MissingInput({ what: "image", hint: "name one, or give the notebook container an image" })
  }
  const request: ResolveRequest = { user, image, groups: spawn.groups ?? fromPod.groups, size: spawn.size, gpuType: spawn.gpuType }
  const resolution = yield* resolveSpawn(request, options.unknownSize)
  const result: JsonObject = yield* Effect.fromResult(applyToPod(pod, resolution.merged, {
    user,
    gpuMode: options.gpuMode,
    defaultMountPath: options.defaultMountPath
  }))
  return { pod: result, resolution }
})

/** Every error a spawn can fail with. */
export type SpawnError = InvalidConfiguration | InvalidDocument | MissingInput | SourceUnavailable | UnknownSize | RequestAboveLimit

/** Validates a user's write against the configuration (GPU maximum, known sizes) and stores it. */
export const writeUserSettings = Effect.fn("writeUserSettings")(function*(user: string, input: unknown) {
  const { configuration } = yield* loadConfiguration()
  const update = yield* Effect.fromResult(validateUserSettingsUpdate(`settings of ${user}`, input, {
    ui: configuration.ui,
    sizes: [...new Set(configuration.sizes.map((s) => s.name))]
  }))
  return yield* (yield* UserSettingsStore).write(user, update)
})
