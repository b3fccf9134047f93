import { configMapView, type ConfigMapView, isJsonObject, type Warning, warning } from "@jsp/core"

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
  const visit = (document: unknown, where: string): void => {
    if (document === null || document === undefined) return
    if (!isJsonObject(document) || document["kind"] === undefined) {
      raw.push(document)
      return
    }
    const kind = document["kind"]
    if (kind === "List" || (typeof kind === "string" && kind.endsWith("List") && Array.isArray(document["items"]))) {
      const items = document["items"]
      if (Array.isArray(items)) items.forEach((item, i) => visit(item, `${where}items[${i}] `))
      return
    }
    if (kind === "ConfigMap") {
      const view = configMapView(document, file)
      if (view === undefined) warnings.push(warning(file, `${where}ConfigMap without metadata.name; skipped`))
      else configMaps.push(view)
      return
    }
    warnings.push(warning(file, `${where}${String(kind)} is not a ConfigMap; skipped`))
  }
  documents.forEach((document) => visit(document, ""))
  return { raw, configMaps, warnings }
}
