import { Result } from "effect"
import type { InvalidDocument } from "../errors/errors.ts"
import { isJsonObject, type JsonObject } from "../internal/json.ts"
import { parseYamlDocuments } from "../decode/yaml.ts"
import { userSettingsOwner } from "../kube/names.ts"
import type { StoredUserSettings } from "../ports.ts"
import { type Warning, warning } from "../errors/warning.ts"

/** A document as read, not yet decoded, and where it came from. */
export interface RawDocument {
  readonly source: string
  readonly content: unknown
}

/** Where configuration lives in a cluster (SPEC 1); every part configurable. */
export interface ConfigMapNames {
  /** The ConfigMap read first. */
  readonly configMap: string
  /** Label key and value of the ConfigMaps read after it, in name order. */
  readonly label: { readonly key: string; readonly value: string }
  /** The data key holding the configuration document. */
  readonly key: string
  /** The data key of a user's settings ConfigMap. */
  readonly userSettingsKey: string
}

/** The names the original project used. */
export const defaultConfigMapNames: ConfigMapNames = {
  configMap: "jupyter-singleuser-profiles",
  label: { key: "jupyterhub.opendatahub.io/user", value: "profile" },
  key: "jupyterhub-singleuser-profiles.yaml",
  userSettingsKey: "profile"
}

/** A ConfigMap as the sources see it: name, labels, data, and where it was read. */
export interface ConfigMapView {
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly data: Readonly<Record<string, string>>
  readonly origin: string
}

/** The text of one configuration document and its source (`<origin>: ConfigMap <name> key <key>`). */
export interface DocumentText {
  readonly source: string
  readonly text: string
}

/** The document under one data key of a ConfigMap, with its source; undefined when the key is absent. */
export const documentOf = (cm: ConfigMapView, key: string): DocumentText | undefined => {
  const text = cm.data[key]
  return text === undefined ? undefined : { source: `${cm.origin}: ConfigMap ${cm.name} key ${key}`, text }
}

const strings = (value: unknown): Readonly<Record<string, string>> =>
  isJsonObject(value) ? Object.fromEntries(Object.entries(value).filter((e): e is [string, string] => typeof e[1] === "string")) : {}

/** Reads a ConfigMap object (typed or plain JSON) into a view, or undefined when it is not one. */
export const configMapView = (object: unknown, origin: string): ConfigMapView | undefined => {
  if (!isJsonObject(object)) return undefined
  const metadata: JsonObject = isJsonObject(object["metadata"]) ? object["metadata"] : {}
  const name = metadata["name"]
  if (typeof name !== "string") return undefined
  return { name, labels: strings(metadata["labels"]), data: strings(object["data"]), origin }
}

/** Whether a ConfigMap is one the configuration is read from. */
export const isConfigConfigMap = (cm: ConfigMapView, names: ConfigMapNames): boolean =>
  cm.name === names.configMap || cm.labels[names.label.key] === names.label.value

/**
 * The order configuration ConfigMaps are read in (SPEC 1): the named ConfigMap, then the
 * labelled ones sorted by name. Items are configuration ConfigMaps (or their states), by name.
 */
export const inConfigurationOrder = <T extends { readonly name: string }>(items: ReadonlyArray<T>, names: ConfigMapNames): ReadonlyArray<T> => [
  ...items.filter((item) => item.name === names.configMap),
  ...items.filter((item) => item.name !== names.configMap).sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
]

/** The warning for a configuration ConfigMap without the configuration key. */
export const missingKeyWarning = (origin: string, name: string, names: ConfigMapNames): Warning =>
  warning(origin, `ConfigMap ${name} has no key ${names.key}; skipped`)

/** The warning for a source that holds no configuration at all: never taken for an empty success (SPEC 10). */
export const noConfigurationWarning = (where: string, names: ConfigMapNames, files = false): Warning =>
  warning(where, `no configuration found (${files ? "no configuration document, " : ""}no ConfigMap ${names.configMap}, none labelled ${names.label.key}=${names.label.value}); every spawn gets nothing from jsp`)

/** The configuration documents of a set of ConfigMaps, in the order the cluster gives them (SPEC 1); a ConfigMap without the key is skipped with a warning. */
export const configDocumentsOf = (
  configMaps: ReadonlyArray<ConfigMapView>,
  names: ConfigMapNames = defaultConfigMapNames
): { readonly documents: ReadonlyArray<DocumentText>; readonly warnings: ReadonlyArray<Warning> } => {
  const warnings: Array<Warning> = []
  const documents: Array<DocumentText> = []
  for (const cm of inConfigurationOrder(configMaps.filter((cm) => isConfigConfigMap(cm, names)), names)) {
    const document = documentOf(cm, names.key)
    if (document === undefined) warnings.push(missingKeyWarning(cm.origin, cm.name, names))
    else documents.push(document)
  }
  return { documents, warnings }
}

/** The first YAML document of a text (a user's settings), not yet decoded. */
export const parseRawDocument = ({ source, text }: DocumentText): Result.Result<RawDocument, InvalidDocument> =>
  Result.map(parseYamlDocuments(source, text), (documents) => ({ source, content: documents[0] }))

/** A ConfigMap that holds a user's settings, as validation reads it: whose, their Secret, the document parsed (or why not). */
export const storedUserSettingsOf = (view: ConfigMapView, names: ConfigMapNames): StoredUserSettings | undefined => {
  const owner = userSettingsOwner(view.name)
  const document = owner === undefined ? undefined : documentOf(view, names.userSettingsKey)
  if (owner === undefined || document === undefined) return undefined
  const parsed = parseRawDocument(document)
  return { ...owner, document: Result.isSuccess(parsed) ? parsed.success : parsed.failure }
}
