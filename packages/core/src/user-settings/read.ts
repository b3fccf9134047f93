import { Result, Schema } from "effect"
import { NonNegativeInt } from "../config/count.ts"
import { Env } from "../config/env.ts"
import { type EnvVar, envNamePattern } from "../config/kubernetes.ts"
import type { Ui } from "../config/ui.ts"
import { decodeWith } from "../decode/schema.ts"
import type { Decoded } from "../decode/schema.ts"
import { gpusOffered, userGpuMaximum } from "../merge/gpu.ts"
import { isJsonObject } from "../internal/json.ts"
import type { InvalidDocument } from "../errors/errors.ts"
import { userSecretName } from "../kube/names.ts"
import { type Warning, warning } from "../errors/warning.ts"

/** A user's own settings (SPEC 1, per-user settings): what they chose last, and their env. */
export interface UserSettings {
  /** Where they were read (the ConfigMap and key, or a file). */
  readonly source: string
  readonly env: ReadonlyArray<EnvVar>
  readonly lastSelectedImage?: string
  readonly lastSelectedSize?: string
  readonly gpu?: number
}

/** The keys a user may set; everything else in their document is ignored (read) or rejected (write). */
export const userSettingsKeys = ["env", "last_selected_image", "last_selected_size", "gpu"] as const

const allowedKeys: ReadonlySet<string> = new Set(userSettingsKeys)

/** The name applied-profiles, explain and provenance use for the user's settings. */
export const userSettingsProfileName = "@singleuser@"

// The original stored `gpu: "0"`; numeric strings are accepted.
const Gpu = Schema.Union([
  NonNegativeInt,
  Schema.String.pipe(Schema.check(Schema.isPattern(/^[0-9]+$/u, { expected: "a whole number" })))
])

const decodeEnv = decodeWith(Env)
const decodeString = decodeWith(Schema.String)
const decodeGpu = decodeWith(Gpu)

/** Env names a user may never set: the hub's own, and the one jsp computes. */
export const isReservedEnvName = (name: string): boolean => name.startsWith("JUPYTERHUB_") || name === "MEM_LIMIT"

/** Why an env entry from a user's settings is not accepted, or undefined when it is. */
export const rejectedUserEnv = (ownSecret: string, entry: EnvVar): string | undefined => {
  if (isReservedEnvName(entry.name)) return `env "${entry.name}" is reserved`
  const from = entry.valueFrom
  if (from === undefined) return undefined
  // Only the user's own Secret: a reference to any other would read objects the user may not see.
  const own = ownSecret
  if (from.secretKeyRef?.name === own && Object.keys(from).length === 1) return undefined
  return `env "${entry.name}" may only take its value from the Secret ${own}`
}

/** Context for reading a user's settings. */
export interface UserSettingsContext {
  readonly user: string
  readonly ui: Ui
  /** The Secret the user's password values live in; default `jupyterhub-singleuser-profile-<user>-envs`. */
  readonly ownSecret?: string | undefined
}

/**
 * Reads an untrusted per-user settings document: only the allowed keys count; anything bad is
 * ignored with a warning, so a user's document can never break their spawn.
 */
export const readUserSettings = (source: string, input: unknown, context: UserSettingsContext): Decoded<UserSettings> => {
  const warnings: Array<Warning> = []
  if (input === null || input === undefined) return { value: { source, env: [] }, warnings }
  if (!isJsonObject(input)) {
    return { value: { source, env: [] }, warnings: [warning(source, "expected a mapping of user settings, ignored")] }
  }
  const take = <A>(key: string, decode: (s: string, i: unknown, o: { at: ReadonlyArray<string> }) => Result.Result<Decoded<A>, InvalidDocument>, value: unknown = input[key]): A | undefined => {
    if (!(key in input) || value === null) return undefined
    const result = decode(source, value, { at: [key] })
    if (Result.isFailure(result)) {
      for (const p of result.failure.problems) warnings.push(warning(source, `${p.message} (ignored)`, p.path))
      return undefined
    }
    warnings.push(...result.success.warnings)
    return result.success.value
  }
  for (const key of Object.keys(input)) {
    if (!allowedKeys.has(key)) warnings.push(warning(source, `users may only set ${userSettingsKeys.join(", ")}; ignored`, key))
  }
  // A name Kubernetes would refuse drops that variable alone, not the user's whole env.
  const badName = (name: unknown): boolean => {
    if (typeof name !== "string" || envNamePattern.test(name)) return false
    warnings.push(warning(source, `env "${name}" is not a valid environment variable name; ignored`))
    return true
  }
  const rawEnv = input["env"]
  const namedWell = Array.isArray(rawEnv) ? rawEnv.filter((entry) => !badName(isJsonObject(entry) ? entry["name"] : undefined))
    : isJsonObject(rawEnv) ? Object.fromEntries(Object.entries(rawEnv).filter(([name]) => !badName(name)))
    : rawEnv
  const env = (take("env", decodeEnv, namedWell) ?? []).filter((entry) => {
    const why = rejectedUserEnv(context.ownSecret ?? userSecretName(context.user), entry)
    if (why !== undefined) warnings.push(warning(source, `${why}; ignored`))
    return why === undefined
  })
  const lastSelectedImage = take("last_selected_image", decodeString)
  const lastSelectedSize = take("last_selected_size", decodeString)
  const rawGpu = take("gpu", decodeGpu)
  let gpu = rawGpu === undefined ? undefined : Number(rawGpu)
  const maximum = userGpuMaximum(context.ui)
  if (gpu !== undefined && !gpusOffered(context.ui)) {
    // The original stored gpu "0" for everyone: only a real request is worth a warning.
    if (gpu > 0) warnings.push(warning(source, "the spawner form offers no GPUs (ui.gpuConfig.enabled is not true); ignored", "gpu"))
    gpu = undefined
  } else if (gpu !== undefined && gpu > maximum) {
    warnings.push(warning(source, `${gpu} is above the maximum of ${maximum}; capped`, "gpu"))
    gpu = maximum
  }
  return {
    value: {
      source,
      env,
      ...(lastSelectedImage === undefined || lastSelectedImage === "" ? {} : { lastSelectedImage }),
      ...(lastSelectedSize === undefined || lastSelectedSize === "" ? {} : { lastSelectedSize }),
      ...(gpu === undefined ? {} : { gpu })
    },
    warnings
  }
}
