import type { Ui } from "../config/ui.ts"
import { type Warning, warning } from "../errors/warning.ts"
import { globMatches } from "../internal/glob.ts"
import { isJsonArray, isJsonObject, type Json, type JsonObject } from "../internal/json.ts"

/** The label that marks notebook ImageStreams (SPEC 8). */
export const notebookImageLabel = "opendatahub.io/notebook-image"

const annotation = {
  description: "opendatahub.io/notebook-image-desc",
  displayName: "opendatahub.io/notebook-image-name",
  url: "opendatahub.io/notebook-image-url",
  order: "opendatahub.io/notebook-image-order",
  software: "opendatahub.io/notebook-software",
  dependencies: "opendatahub.io/notebook-python-dependencies",
  recommended: "opendatahub.io/notebook-image-recommended",
  default: "opendatahub.io/default-image"
} as const

/** A name and version pair, as the software and dependency annotations list them. */
export interface NameVersion {
  readonly name: string
  readonly version: string
}

/** One image a user may choose: an ImageStream tag (SPEC 8). */
export interface ImageOption {
  /** `<imagestream>:<tag>`, what a profile's `images` and the spawner use. */
  readonly name: string
  readonly displayName: string
  readonly description?: string
  readonly url?: string
  readonly order: number
  readonly software: ReadonlyArray<NameVersion>
  readonly dependencies: ReadonlyArray<NameVersion>
  readonly recommended: boolean
  readonly default: boolean
  /** The user's last selected image. */
  readonly selected: boolean
}

/** The image options and what was noticed on the way (bad annotations). */
export interface ImageCatalogView {
  readonly images: ReadonlyArray<ImageOption>
  readonly warnings: ReadonlyArray<Warning>
}

const objectAt = (value: Json | undefined, key: string): JsonObject => {
  const found = isJsonObject(value) ? value[key] : undefined
  return isJsonObject(found) ? found : {}
}
const stringsOf = (value: JsonObject): Readonly<Record<string, string>> =>
  Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string"))
const isTrue = (text: string | undefined): boolean => text !== undefined && ["true", "yes", "1", "y", "on"].includes(text.trim().toLowerCase())

const nameVersions = (text: string | undefined, source: string, path: string, warnings: Array<Warning>): ReadonlyArray<NameVersion> => {
  if (text === undefined || text.trim() === "") return []
  try {
    const parsed: unknown = JSON.parse(text)
    if (Array.isArray(parsed)) {
      return parsed.filter((p): p is NameVersion => isJsonObject(p) && typeof p["name"] === "string" && typeof p["version"] === "string")
    }
  } catch {
    // reported below
  }
  warnings.push(warning(source, "expected a JSON list of {name, version}; ignored", path))
  return []
}

// A white/blacklist entry names an ImageStream (every tag), or one tag as `name:tag`; `*` globs either.
const listed = (list: ReadonlyArray<string>, option: string): boolean => {
  const stream = option.slice(0, option.lastIndexOf(":"))
  return list.some((entry) => globMatches(entry, entry.includes(":") ? option : stream))
}

// Versions compare numerically part by part (`3.10` after `3.9`); the newest first.
const compareVersionsDescending = (a: string, b: string): number => {
  const pa = a.split(/[^0-9A-Za-z]+/u)
  const pb = b.split(/[^0-9A-Za-z]+/u)
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? ""
    const y = pb[i] ?? ""
    const nx = Number(x)
    const ny = Number(y)
    const c = x !== "" && y !== "" && Number.isFinite(nx) && Number.isFinite(ny) ? ny - nx : y.localeCompare(x)
    if (c !== 0) return c
  }
  return 0
}

/** The notebook ImageStreams among all: those labelled, else (legacy) those whose name contains `-notebook`. */
export const notebookImageStreams = (streams: ReadonlyArray<JsonObject>): ReadonlyArray<JsonObject> => {
  const labelled = streams.filter((s) => stringsOf(objectAt(objectAt(s, "metadata"), "labels"))[notebookImageLabel] === "true")
  if (labelled.length > 0) return labelled
  return streams.filter((s) => String(objectAt(s, "metadata")["name"] ?? "").includes("-notebook"))
}

/**
 * The images users may choose (SPEC 8): every tag in `status.tags` of every notebook
 * ImageStream, described by the annotations, white/blacklisted and sorted by `ui.imageConfig`
 * (by order, then name or newest version), with the user's last choice marked.
 */
export const imageOptions = (streams: ReadonlyArray<JsonObject>, ui: Ui, lastSelected?: string): ImageCatalogView => {
  const warnings: Array<Warning> = []
  const options: Array<ImageOption> = []
  for (const stream of notebookImageStreams(streams)) {
    const metadata = objectAt(stream, "metadata")
    const name = String(metadata["name"] ?? "")
    const annotations = stringsOf(objectAt(metadata, "annotations"))
    const specTags = objectAt(stream, "spec")["tags"]
    const statusTags = objectAt(stream, "status")["tags"]
    const tagAnnotations = new Map<string, Readonly<Record<string, string>>>()
    for (const tag of isJsonArray(specTags) ? specTags : []) {
      if (isJsonObject(tag) && typeof tag["name"] === "string") tagAnnotations.set(tag["name"], stringsOf(objectAt(tag, "annotations")))
    }
    const orderText = annotations[annotation.order]
    const order = orderText === undefined ? 100 : orderText.trim() === "" ? Number.NaN : Number(orderText)
    if (!Number.isFinite(order)) warnings.push(warning(`ImageStream ${name}`, `"${orderText}" is not a number; 100 used`, `metadata.annotations["${annotation.order}"]`))
    for (const tag of isJsonArray(statusTags) ? statusTags : []) {
      const tagName = isJsonObject(tag) ? tag["tag"] : undefined
      if (typeof tagName !== "string") continue
      const option = `${name}:${tagName}`
      const tagNotes = tagAnnotations.get(tagName) ?? {}
      const description = annotations[annotation.description]
      const url = annotations[annotation.url]
      options.push({
        name: option,
        displayName: annotations[annotation.displayName] ?? option,
        ...(description === undefined ? {} : { description }),
        ...(url === undefined ? {} : { url }),
        order: Number.isFinite(order) ? order : 100,
        software: nameVersions(tagNotes[annotation.software], `ImageStream ${name}`, `spec.tags[name=${tagName}].annotations["${annotation.software}"]`, warnings),
        dependencies: nameVersions(tagNotes[annotation.dependencies], `ImageStream ${name}`, `spec.tags[name=${tagName}].annotations["${annotation.dependencies}"]`, warnings),
        recommended: isTrue(tagNotes[annotation.recommended]),
        default: isTrue(tagNotes[annotation.default] ?? annotations[annotation.default]),
        selected: option === lastSelected
      })
    }
  }
  const { whitelist = [], blacklist = [], sort = "name" } = ui.imageConfig ?? {}
  const kept = options.filter((o) => (whitelist.length === 0 || listed(whitelist, o.name)) && !listed(blacklist, o.name))
  const byName = (a: ImageOption, b: ImageOption) => a.displayName.localeCompare(b.displayName) || a.name.localeCompare(b.name)
  const byVersion = (a: ImageOption, b: ImageOption) => {
    const stream = a.name.slice(0, a.name.lastIndexOf(":")).localeCompare(b.name.slice(0, b.name.lastIndexOf(":")))
    return stream !== 0 ? byName(a, b) : compareVersionsDescending(a.name.slice(a.name.lastIndexOf(":") + 1), b.name.slice(b.name.lastIndexOf(":") + 1))
  }
  return { images: [...kept].sort((a, b) => a.order - b.order || (sort === "version" ? byVersion(a, b) : byName(a, b))), warnings }
}

/** The image a spawn gets when none is chosen: the user's last, else the one marked default, else the first. */
export const defaultImage = (view: Pick<ImageCatalogView, "images">): string | undefined =>
  (view.images.find((i) => i.selected) ?? view.images.find((i) => i.default) ?? view.images[0])?.name
