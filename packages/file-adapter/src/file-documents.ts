import {
  type ConfigMapNames,
  type ConfigMapView,
  decodeConfigDocuments,
  decodeConfigText,
  type DecodedDocuments,
  documentOf,
  inConfigurationOrder,
  InvalidDocument,
  isConfigConfigMap,
  missingKeyWarning,
  parseYamlDocuments,
  type SourcedDocument,
  type Warning
} from "@jsp/core"
import { Effect, Result } from "effect"
import { readBoundedText } from "./bounded-read.ts"
import { classifyDocuments } from "./manifests.ts"

/** A configuration ConfigMap of a file and its document decoded; `decoded` is undefined when the key is missing. */
export interface ConfigMapDocument {
  readonly name: string
  readonly configMap: ConfigMapView
  readonly decoded: DecodedDocuments | undefined
}

/** One file read and decoded: the unit the watching source keeps a last good version of. */
export interface FileDocuments {
  readonly file: string
  /** Problems of the file as a whole (not UTF-8, not YAML): nothing else of it was read. */
  readonly errors: ReadonlyArray<InvalidDocument>
  /** Its raw configuration documents, decoded. */
  readonly raw: DecodedDocuments
  /** Every ConfigMap it holds (configuration, users' settings, templates). */
  readonly configMaps: ReadonlyArray<ConfigMapView>
  /** Its configuration ConfigMaps in file order, each document decoded. */
  readonly configDocuments: ReadonlyArray<ConfigMapDocument>
  /** What was skipped while sorting its YAML documents. */
  readonly warnings: ReadonlyArray<Warning>
}

/** Everything read from one `--config` path (a file or a directory), or from several. */
export interface LoadedPath {
  readonly documents: ReadonlyArray<SourcedDocument>
  readonly configMaps: ReadonlyArray<ConfigMapView>
  readonly warnings: ReadonlyArray<Warning>
  readonly errors: ReadonlyArray<InvalidDocument>
}

const noDocuments: DecodedDocuments = { documents: [], warnings: [], errors: [] }

/** Decodes a file's text (or the reason it is not text): every document, each ConfigMap's document on its own. */
export const documentsOfText = (file: string, text: string | InvalidDocument, names: ConfigMapNames): FileDocuments => {
  const parsed = text instanceof InvalidDocument ? Result.fail(text) : parseYamlDocuments(file, text)
  if (Result.isFailure(parsed)) return { file, errors: [parsed.failure], raw: noDocuments, configMaps: [], configDocuments: [], warnings: [] }
  const contents = classifyDocuments(file, parsed.success)
  return {
    file,
    errors: [],
    raw: decodeConfigDocuments(file, contents.raw),
    configMaps: contents.configMaps,
    configDocuments: contents.configMaps.filter((cm) => isConfigConfigMap(cm, names)).map((configMap) => {
      const document = documentOf(configMap, names.key)
      return { name: configMap.name, configMap, decoded: document === undefined ? undefined : decodeConfigText(document.source, document.text) }
    }),
    warnings: contents.warnings
  }
}

/** Reads and decodes one file; text that is not UTF-8 is a problem of the document, reported with the others. */
export const readDocumentFile = Effect.fn("readDocumentFile")(function*(file: string, names: ConfigMapNames) {
  const text = yield* readBoundedText(file).pipe(Effect.catchTag("InvalidDocument", (e) => Effect.succeed(e)))
  return documentsOfText(file, text, names)
})

/** Every problem of a file: the file's own, then its documents'. */
export const problemsOf = (file: FileDocuments): ReadonlyArray<InvalidDocument> => [
  ...file.errors,
  ...file.raw.errors,
  ...file.configDocuments.flatMap((d) => d.decoded?.errors ?? [])
]

/**
 * The files of one path combined (SPEC 1): raw documents first, in file order (they play the part
 * of the main ConfigMap), then the configuration ConfigMaps of all its files in the order the
 * cluster gives them.
 */
export const combineFiles = (files: ReadonlyArray<FileDocuments>, names: ConfigMapNames): LoadedPath => {
  const ordered = inConfigurationOrder(files.flatMap((f) => f.configDocuments), names)
  const decoded = [...files.map((f) => f.raw), ...ordered.flatMap((d) => d.decoded ?? [])]
  return {
    documents: decoded.flatMap((d) => d.documents),
    configMaps: files.flatMap((f) => f.configMaps),
    warnings: [
      ...files.flatMap((f) => f.warnings),
      ...ordered.flatMap((d) => d.decoded === undefined ? [missingKeyWarning(d.configMap.origin, d.name, names)] : []),
      ...decoded.flatMap((d) => d.warnings)
    ],
    errors: [...files.flatMap((f) => f.errors), ...decoded.flatMap((d) => d.errors)]
  }
}

/** Several paths' contents, in the order given. */
export const concatLoaded = (loaded: ReadonlyArray<LoadedPath>): LoadedPath => ({
  documents: loaded.flatMap((l) => l.documents),
  configMaps: loaded.flatMap((l) => l.configMaps),
  warnings: loaded.flatMap((l) => l.warnings),
  errors: loaded.flatMap((l) => l.errors)
})
