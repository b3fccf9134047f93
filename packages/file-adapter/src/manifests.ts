import { configMapView, type ConfigMapView, isJsonObject, type JsonObject, type Warning, warning } from "@jsp/core"

/** A document of a file, with a `v1/List` (or `…List`) item's place in it (`items[2] `, empty for a top-level one). */
export interface PlacedDocument {
  readonly document: unknown
  readonly where: string
}

const isList = (document: JsonObject): boolean => {
  const kind = document["kind"]
  return kind === "List" || (typeof kind === "string" && kind.endsWith("List") && Array.isArray(document["items"]))
}

/** The YAML documents of a file with every list replaced by its items (nested lists too); empty documents dropped. */
export const flattenLists = (documents: ReadonlyArray<unknown>): ReadonlyArray<PlacedDocument> => {
  const placed: Array<PlacedDocument> = []
  const visit = (document: unknown, where: string): void => {
    if (document === null || document === undefined) return
    if (isJsonObject(document) && isList(document)) {
      const items = document["items"]
      if (Array.isArray(items)) items.forEach((item, i) => visit(item, `${where}items[${i}] `))
      return
    }
    placed.push({ document, where })
  }
  documents.forEach((document) => visit(document, ""))
  return placed
}

/** What one file holds: raw configuration documents and ConfigMaps, plus anything skipped. */
export interface FileContents {
  readonly raw: ReadonlyArray<unknown>
  readonly configMaps: ReadonlyArray<ConfigMapView>
  readonly warnings: ReadonlyArray<Warning>
}

/**
 * Sorts the YAML documents of a file: a `v1/List` contributes its items, a ConfigMap is kept as
 * one, another Kubernetes object is skipped with a warning, anything else is a raw configuration
 * document (SPEC 1, "File").
 */
export const classifyDocuments = (file: string, documents: ReadonlyArray<unknown>): FileContents => {
  const raw: Array<unknown> = []
  const configMaps: Array<ConfigMapView> = []
  const warnings: Array<Warning> = []
  for (const { document, where } of flattenLists(documents)) {
    if (!isJsonObject(document) || document["kind"] === undefined) {
      raw.push(document)
    } else if (document["kind"] === "ConfigMap") {
      const view = configMapView(document, file)
      if (view === undefined) warnings.push(warning(file, `${where}ConfigMap without metadata.name; skipped`))
      else configMaps.push(view)
    } else {
      warnings.push(warning(file, `${where}${String(document["kind"])} is not a ConfigMap; skipped`))
    }
  }
  return { raw, configMaps, warnings }
}
