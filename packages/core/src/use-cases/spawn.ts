import { Effect } from "effect"
import { applyToPod } from "../apply/pod.ts"
import { type PodView, readPod } from "../decode/pod.ts"
import type { GpuMode } from "../merge/gpu.ts"
import { type Resolution, resolveProfile, type UnknownSizePolicy } from "../merge/resolve.ts"
import { withServiceReturns } from "../services/returns.ts"
import type { ServicesResult } from "./services.ts"
import { completeSpawn, type SpawnInput, spawnUser } from "../select/spawn.ts"
import type { JsonObject } from "../internal/json.ts"
import { loadConfiguration, loadUserSettings } from "./configuration.ts"

/** How a spawn is resolved and applied, beyond who spawns what. */
export interface SpawnOptions {
  /** How the notebook container may use a GPU (SPEC 5); default: its security context is left alone. */
  readonly gpuMode?: GpuMode | undefined
  /** Where volumes without an absolute mount path go (SPEC 6). */
  readonly defaultMountPath?: string | undefined
  /** An unknown size that was asked for: an error (default; CLI, library) or a warning (webhook). */
  readonly unknownSize?: UnknownSizePolicy | undefined
}

// One path for both entry points: complete the spawn (caller, pod, settings), then resolve it.
const resolveFor = Effect.fnUntraced(function*(input: SpawnInput, pod: PodView | undefined, options: SpawnOptions) {
  const user = yield* Effect.fromResult(spawnUser(input, pod))
  const loaded = yield* loadConfiguration()
  const settings = yield* loadUserSettings(user, loaded.configuration)
  const spawn = yield* Effect.fromResult(completeSpawn(user, input, pod, settings.value))
  const resolution = yield* Effect.fromResult(resolveProfile(loaded.configuration, settings.value, spawn, options.unknownSize))
  return {
    ...resolution,
    warnings: [...loaded.warnings, ...(pod?.warnings ?? []), ...settings.warnings, ...resolution.warnings]
  } satisfies Resolution
})

/**
 * Resolves a spawn without a pod (SPEC 2–4): the caller names the user; the image and size
 * default to the user's last choices.
 */
export const resolveSpawn = (input: SpawnInput, options: SpawnOptions = {}) => resolveFor(input, undefined, options)

/** What runs between resolving and applying a spawn: deploys its services and returns what they give the notebook (SPEC 7). */
export type ServicesStep<E, R> = (resolution: Resolution) => Effect.Effect<ServicesResult, E, R>

/**
 * Resolves a spawn and applies it to the pod (SPEC 5): the same function behind the CLI and the
 * webhook. What the caller leaves out is read from the pod (annotations, the notebook container),
 * then from the user's settings. With `services`, the spawn's services run between resolving and
 * applying, and the variables they return are merged in (`service:<name>`).
 */
export const applySpawn = <E = never, R = never>(pod: unknown, input: SpawnInput, options: SpawnOptions = {}, services?: ServicesStep<E, R>) =>
  Effect.gen(function*() {
    const view = yield* Effect.fromResult(readPod(pod))
    const resolved = yield* resolveFor(input, view, options)
    const ran = services === undefined ? undefined : yield* services(resolved)
    const resolution = ran === undefined ? resolved : { ...withServiceReturns(resolved, ran.returns), warnings: [...resolved.warnings, ...ran.warnings] }
    const result: JsonObject = yield* Effect.fromResult(applyToPod(view, resolution.merged, {
      user: resolution.spawn.user,
      gpuMode: options.gpuMode,
      defaultMountPath: options.defaultMountPath
    }))
    return { pod: result, resolution }
  })
