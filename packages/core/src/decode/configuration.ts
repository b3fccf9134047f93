import { Result } from "effect"
import { ConfigDocument } from "../config/document.ts"
import type { Profile } from "../config/profile.ts"
import type { GpuType, Size } from "../config/size.ts"
import type { Ui } from "../config/ui.ts"
import { type Decoded, decodeWith } from "./schema.ts"
import type { InvalidDocument } from "../errors/errors.ts"
import type { Warning } from "../errors/warning.ts"
import type { Contribution } from "../merge/merge.ts"
import type { MergeCache } from "../merge/merge-cache.ts"
import type { RawDocument } from "../sources/config-maps.ts"
import type { UserSettings } from "../user-settings/read.ts"
import { isJsonObject } from "../internal/json.ts"
import { parseYamlDocuments } from "./yaml.ts"

/** A decoded configuration document and where it came from (file, or ConfigMap/key). */
export interface SourcedDocument {
  readonly source: string
  readonly document: ConfigDocument
}

/** A profile with the name explain and the applied-profiles annotation show for it. */
export interface NamedProfile {
  readonly name: string
  readonly source: string
  readonly profile: Profile
}

/** One document's profiles, and where they start in the combined `profiles`. */
export interface DocumentProfiles {
  readonly start: number
  readonly profiles: ReadonlyArray<Profile>
}

/** Every document combined, in source order (SPEC 1). */
export interface Configuration {
  readonly profiles: ReadonlyArray<NamedProfile>
  /** The same profiles by document: selection indexes each document once, not each combination. */
  readonly documentProfiles: ReadonlyArray<DocumentProfiles>
  readonly sizes: ReadonlyArray<Size>
  readonly gpuTypes: ReadonlyArray<GpuType>
  readonly ui: Ui
  /** Work done once per configuration and reused by every spawn it serves. */
  readonly caches: ConfigurationCaches
}

/**
 * What spawns compute from a configuration and can reuse while it is in force. A configuration is
 * immutable, so each is filled on first use and dropped with the configuration itself.
 */
export interface ConfigurationCaches {
  /** Each combination of profiles merged once (merge). */
  merges?: MergeCache
  /** Each size as a contribution (merge). */
  readonly sizes: Map<Size, Contribution>
  /** Each stored user-settings document read against this configuration's `ui` (user settings). */
  readonly userSettings: WeakMap<RawDocument, Decoded<UserSettings>>
}

/** Empty caches for a new configuration. */
export const emptyCaches = (): ConfigurationCaches => ({ sizes: new Map(), userSettings: new WeakMap() })

// `users:` with nothing after it is YAML null; the original treated it as absent, and so do we.
// Inside `env` (an empty value) and a service's `configuration` (a template variable) null is a
// value, so those are kept for their schemas to read.
const keepNulls = new Set(["configuration", "env"])
const dropNullKeys = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(dropNullKeys)
  if (!isJsonObject(value)) return value
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null)
    .map(([k, v]) => [k, keepNulls.has(k) ? v : dropNullKeys(v)]))
}

const decodeDocumentStrictly = decodeWith(ConfigDocument)

/** Decodes one configuration document: a typed error naming source, path, found and expected; unknown keys as warnings. */
export const decodeConfigDocument = (source: string, input: unknown): Result.Result<Decoded<SourcedDocument>, InvalidDocument> =>
  // An empty file or ConfigMap key is an empty document, not an error.
  Result.map(decodeDocumentStrictly(source, input === null || input === undefined ? {} : dropNullKeys(input)),
    ({ value, warnings }) => ({ value: { source, document: value }, warnings }))

/** Combines documents in order: lists concatenated, `ui` overridden key by key (SPEC 1). */
export const combineDocuments = (documents: ReadonlyArray<SourcedDocument>): Configuration => {
  let start = 0
  const documentProfiles = documents.map(({ document }): DocumentProfiles => {
    const profiles = document.profiles ?? []
    start += profiles.length
    return { start: start - profiles.length, profiles }
  })
  return {
    profiles: documents.flatMap(({ source, document }) =>
      (document.profiles ?? []).map((profile, index) => ({
        name: profile.name ?? `${source}#profiles[${index}]`,
        source,
        profile
      }))),
    documentProfiles,
    sizes: documents.flatMap(({ document }) => document.sizes ?? []),
    gpuTypes: documents.flatMap(({ document }) => document.gpuTypes ?? []),
    ui: documents.reduce<Ui>((ui, { document }) => ({ ...ui, ...document.ui }), {}),
    caches: emptyCaches()
  }
}

/** Decoded documents and what was found on the way: every problem of every document, not just the first. */
export interface DecodedDocuments {
  readonly documents: ReadonlyArray<SourcedDocument>
  readonly warnings: ReadonlyArray<Warning>
  readonly errors: ReadonlyArray<InvalidDocument>
}

/** Decodes the documents parsed from one source (a file, or a ConfigMap key). */
export const decodeConfigDocuments = (source: string, values: ReadonlyArray<unknown>): DecodedDocuments => {
  const documents: Array<SourcedDocument> = []
  const warnings: Array<Warning> = []
  const errors: Array<InvalidDocument> = []
  for (const value of values) {
    const decoded = decodeConfigDocument(source, value)
    if (Result.isFailure(decoded)) errors.push(decoded.failure)
    else {
      documents.push(decoded.success.value)
      warnings.push(...decoded.success.warnings)
    }
  }
  return { documents, warnings, errors }
}

/** Parses and decodes the text of one source; a YAML syntax error is its one error. */
export const decodeConfigText = (source: string, text: string): DecodedDocuments => {
  const parsed = parseYamlDocuments(source, text)
  return Result.isFailure(parsed) ? { documents: [], warnings: [], errors: [parsed.failure] } : decodeConfigDocuments(source, parsed.success)
}
