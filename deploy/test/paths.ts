// Where the deployment's files are, for the tests that check them against the code.
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
