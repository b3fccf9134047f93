// The deployment's files, read as the tests that check them against the code need them.
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { parseAllDocuments } from "yaml"

/** The repository's root. */
export const root = fileURLToPath(new URL("../..", import.meta.url))
export const deployDir = join(root, "deploy")

/** A Kubernetes object as read from YAML: only what the tests look at is typed, the rest checked where used. */
export type Manifest = Record<string, unknown>

/** Whether a parsed YAML value is an object (not a list, scalar or null). */
export const isManifest = (value: unknown): value is Manifest => typeof value === "object" && value !== null && !Array.isArray(value)

/** Every object of a YAML stream, `v1/List` items flattened; a document that is not an object is an error naming it. */
export const parseManifests = (text: string, where: string): ReadonlyArray<Manifest> =>
  parseAllDocuments(text).flatMap((document, index) => {
    if (document.errors.length > 0) throw new Error(`${where}, document ${index + 1}: ${document.errors.map((e) => e.message).join("; ")}`)
    const value: unknown = document.toJS()
    if (value === null) return []
    if (!isManifest(value)) throw new Error(`${where}, document ${index + 1}: not an object`)
    return value["kind"] === "List" && Array.isArray(value["items"]) ? value["items"].filter(isManifest) : [value]
  })

/** The objects of a file under the repository's root. */
export const readManifests = (path: string): ReadonlyArray<Manifest> => parseManifests(readFileSync(join(root, path), "utf8"), path)

type Path = ReadonlyArray<string | number>

/** What is at `path` (object keys, list indexes) of a parsed value; undefined where nothing is. */
export const at = (value: unknown, ...path: Path): unknown =>
  path.reduce<unknown>((v, key) => typeof key === "number" ? (Array.isArray(v) ? v[key] : undefined) : isManifest(v) ? v[key] : undefined, value)

// Narrowing for what YAML gave: each names the path it expected, so a failure says what is missing.
export const objectAt = (value: unknown, ...path: Path): Manifest => {
  const found = at(value, ...path)
  if (!isManifest(found)) throw new Error(`expected an object at ${path.join(".")}`)
  return found
}
export const listAt = (value: unknown, ...path: Path): ReadonlyArray<Manifest> => {
  const found = at(value, ...path)
  if (!Array.isArray(found) || !found.every(isManifest)) throw new Error(`expected a list of objects at ${path.join(".")}`)
  return found
}
export const stringAt = (value: unknown, ...path: Path): string => {
  const found = at(value, ...path)
  if (typeof found !== "string") throw new Error(`expected a string at ${path.join(".")}`)
  return found
}
export const stringsAt = (value: unknown, ...path: Path): ReadonlyArray<string> => {
  const found = at(value, ...path)
  if (!Array.isArray(found) || !found.every((s) => typeof s === "string")) throw new Error(`expected a list of strings at ${path.join(".")}`)
  return found
}
