import { Result } from "effect"
import type { Configuration } from "../decode/configuration.ts"
import type { UnknownSize } from "../errors/errors.ts"
import { gpuResource, gpuTolerations } from "./gpu.ts"
import { type Contribution, type MergedProfile, mergeContribution, mergeInto } from "./merge.ts"
import { mergeProfiles } from "./merge-cache.ts"
import { selectProfileIndices } from "../select/select.ts"
import { findSize, sizeContribution } from "./sizes.ts"
import { type UserSettings, userSettingsProfileName } from "../user-settings/read.ts"

/** One spawn to resolve: who, with which image, and what they chose. */
export interface ResolveRequest {
  readonly user: string
  readonly groups: ReadonlyArray<string>
  readonly image: string
  /** The size chosen for this spawn; without it, the user's last selected size. */
  readonly size?: string | undefined
  /** The GPU type whose tolerations apply; without it, every type's. */
  readonly gpuType?: string | undefined
}

/** How an unknown size is treated: an error (CLI, library) or a warning and no size (webhook). */
export type UnknownSizePolicy = "error" | "warn"

/** The merged profile of one spawn, and what was noticed on the way. */
export interface Resolution {
  readonly merged: MergedProfile
  readonly size?: string
  readonly warnings: ReadonlyArray<string>
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
  request: ResolveRequest,
  unknownSize: UnknownSizePolicy = "error"
): Result.Result<Resolution, UnknownSize> => {
  const warnings: Array<string> = []
  const contributions: Array<Contribution> = []
  if (userSettings !== undefined) {
    contributions.push({
      name: userSettingsProfileName,
      body: { env: userSettings.env, ...(userSettings.gpu === undefined ? {} : { gpu: userSettings.gpu }) }
    })
  }
  const sizeName = request.size ?? userSettings?.lastSelectedSize
  let size: string | undefined
  if (sizeName !== undefined) {
    const found = findSize(configuration.sizes, sizeName)
    if (Result.isSuccess(found)) {
      size = found.success.name
      contributions.push(sizeContribution(found.success))
    } else if (request.size !== undefined && unknownSize === "error") {
      return Result.fail(found.failure)
    } else {
      const origin = request.size === undefined ? " (the user's last selected size)" : ""
      warnings.push(`${found.failure.message}${origin}; spawning without a size`)
    }
  }
  const gpuType = request.gpuType
  if (gpuType !== undefined && !configuration.gpuTypes.some((t) => t.type === gpuType)) {
    const known = configuration.gpuTypes.map((t) => t.type)
    warnings.push(`unknown GPU type "${gpuType}" (${known.length === 0 ? "none are configured" : `known GPU types: ${known.join(", ")}`}); no GPU tolerations added`)
  }
  const merged = mergeInto(mergeProfiles(configuration.profiles, selectProfileIndices(configuration.profiles, request)), contributions)
  const gpu = gpuContribution(merged, configuration, request.gpuType)
  return Result.succeed({
    // The GPU's resources and tolerations carry the provenance of the count; it is not a new entry.
    merged: gpu === undefined ? merged : { ...mergeContribution(merged, gpu), applied: merged.applied },
    ...(size === undefined ? {} : { size }),
    warnings
  })
}
