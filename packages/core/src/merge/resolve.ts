import { Result } from "effect"
import type { Configuration } from "../decode/configuration.ts"
import type { UnknownSize } from "../errors/errors.ts"
import { requestSource, type Warning, warning } from "../errors/warning.ts"
import { selectProfileIndices } from "../select/select.ts"
import type { Spawn } from "../select/spawn.ts"
import { type UserSettings, userSettingsProfileName } from "../user-settings/read.ts"
import { gpuResource, gpuTolerations } from "./gpu.ts"
import { type Contribution, type MergedProfile, mergeContribution, mergeInto } from "./merge.ts"
import { mergeProfiles } from "./merge-cache.ts"
import { findSize, sizeContribution } from "./sizes.ts"

/** How an unknown size that was asked for is treated: an error (CLI, library) or a warning and no size (webhook). */
export type UnknownSizePolicy = "error" | "warn"

/** The merged profile of one spawn, and what was noticed on the way. */
export interface Resolution {
  readonly spawn: Spawn
  readonly merged: MergedProfile
  /** The size applied, if any. */
  readonly size?: string
  readonly warnings: ReadonlyArray<Warning>
}

// GPU count → `nvidia.com/gpu` request and limit, and the GPU types' tolerations (SPEC 5).
const gpuContribution = (merged: MergedProfile, configuration: Configuration, gpuType: string | undefined): Contribution | undefined => {
  const gpu = merged.gpu
  if (gpu === undefined || gpu.value <= 0) return undefined
  const count = String(gpu.value)
  return {
    name: gpu.from,
    body: {
      resources: { requests: { [gpuResource]: count }, limits: { [gpuResource]: count } },
      node_tolerations: gpuTolerations(configuration.gpuTypes, gpuType)
    }
  }
}

/**
 * Resolves a spawn (SPEC 2–4): the matching profiles in document order, then the user's
 * settings as `@singleuser@`, then the size, then the GPU count's resources and tolerations.
 */
export const resolveProfile = (
  configuration: Configuration,
  userSettings: UserSettings | undefined,
  spawn: Spawn,
  unknownSize: UnknownSizePolicy = "error"
): Result.Result<Resolution, UnknownSize> => {
  const warnings: Array<Warning> = []
  const contributions: Array<Contribution> = []
  if (userSettings !== undefined) {
    contributions.push({
      name: userSettingsProfileName,
      body: { env: userSettings.env, ...(userSettings.gpu === undefined ? {} : { gpu: userSettings.gpu }) }
    })
  }
  let size: string | undefined
  if (spawn.size !== undefined) {
    const found = findSize(configuration.sizes, spawn.size.name)
    if (Result.isSuccess(found)) {
      size = found.success.name
      contributions.push(sizeContribution(configuration, found.success))
    } else if (spawn.size.origin === "request" && unknownSize === "error") {
      return Result.fail(found.failure)
    } else {
      const message = `${found.failure.message}; spawning without a size`
      warnings.push(spawn.size.origin === "request" || userSettings === undefined
        ? warning(requestSource, message, "size")
        : warning(userSettings.source, message, "last_selected_size"))
    }
  }
  const gpuType = spawn.gpuType
  if (gpuType !== undefined && !configuration.gpuTypes.some((t) => t.type === gpuType)) {
    const known = configuration.gpuTypes.map((t) => t.type)
    warnings.push(warning(requestSource,
      `unknown GPU type "${gpuType}" (${known.length === 0 ? "none are configured" : `known GPU types: ${known.join(", ")}`}); no GPU tolerations added`,
      "gpuType"))
  }
  const merged = mergeInto(mergeProfiles(configuration, selectProfileIndices(configuration, spawn)), contributions)
  const gpu = gpuContribution(merged, configuration, gpuType)
  return Result.succeed({
    spawn,
    // The GPU's resources and tolerations carry the provenance of the count; it is not a new entry.
    merged: gpu === undefined ? merged : { ...mergeContribution(merged, gpu), applied: merged.applied },
    ...(size === undefined ? {} : { size }),
    warnings
  })
}
