import { Result } from "effect"
import type { InvalidDocument } from "../errors/errors.ts"
import { isJsonObject, type JsonObject } from "../internal/json.ts"
import type { RawDocument } from "../ports.ts"
import { parseYamlDocuments } from "../decode/yaml.ts"
import { userSettingsConfigMapName } from "../kube/names.ts"

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
 * The configuration documents of a set of ConfigMaps in the order the cluster gives them
 * (SPEC 1): the named ConfigMap, then the labelled ones sorted by name; a ConfigMap without
 * the key is skipped with a warning.
 */
export const configDocumentsOf = (
  configMaps: ReadonlyArray<ConfigMapView>,
  names: ConfigMapNames = defaultConfigMapNames
): { readonly documents: ReadonlyArray<DocumentText>; readonly warnings: ReadonlyArray<string> } => {
  const named = configMaps.filter((cm) => cm.name === names.configMap)
  const labelled = configMaps
    .filter((cm) => cm.name !== names.configMap && cm.labels[names.label.key] === names.label.value)
    .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  const warnings: Array<string> = []
  const documents: Array<DocumentText> = []
  for (const cm of [...named, ...labelled]) {
    const document = documentOf(cm, names.key)
    if (document === undefined) warnings.push(`${cm.origin}: ConfigMap ${cm.name} has no key ${names.key}; skipped`)
    else documents.push(document)
  }
  return { documents, warnings }
}

/** A user's settings document from a set of ConfigMaps, found by the per-user ConfigMap name. */
export const userSettingsOf = (
  configMaps: ReadonlyArray<ConfigMapView>,
  user: string,
  names: ConfigMapNames = defaultConfigMapNames
): DocumentText | undefined => {
  const name = userSettingsConfigMapName(user)
  const cm = configMaps.findLast((c) => c.name === name)
  return cm === undefined ? undefined : documentOf(cm, names.userSettingsKey)
}

/** The first YAML document of a text (a user's settings), not yet decoded. */
export const parseRawDocument = ({ source, text }: DocumentText): Result.Result<RawDocument, InvalidDocument> =>
  Result.map(parseYamlDocuments(source, text), (documents) => ({ source, content: documents[0] }))
