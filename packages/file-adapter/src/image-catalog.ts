import { ImageCatalog, type ImageStream, InvalidDocument, isJsonObject, parseYamlDocuments, type Problem, SourceUnavailable } from "@jsp/core"
import { Effect, FileSystem, Layer, Path, Result } from "effect"
import { readBoundedText } from "./bounded-read.ts"
import { filesOf } from "./files.ts"
import { flattenLists } from "./manifests.ts"

/** What one file of ImageStream manifests holds: the streams, and what is wrong with it. */
const streamsOf = (file: string, documents: ReadonlyArray<unknown>): Result.Result<ReadonlyArray<ImageStream>, InvalidDocument> => {
  const streams: Array<ImageStream> = []
  const problems: Array<Problem> = []
  // In a multi-document file, a problem names its document (1-based) as well as its list item.
  const placed = documents.flatMap((d, i) => flattenLists([d]).map((p) => ({ ...p, where: documents.length > 1 ? `document ${i + 1} ${p.where}` : p.where })))
  for (const { document, where } of placed) {
    const at = where.trim()
    if (!isJsonObject(document) || typeof document["kind"] !== "string") {
      problems.push({ path: at, message: "expected a Kubernetes object (an ImageStream, ImageStreamList or List)" })
    } else if (document["kind"] === "ImageStream") {
      const metadata = document["metadata"]
      if (isJsonObject(metadata) && typeof metadata["name"] === "string" && metadata["name"] !== "") streams.push(document)
      else problems.push({ path: `${where}metadata.name`, message: "missing: an ImageStream has a name" })
    }
    // Any other kind is skipped: the files may be a whole cluster's worth of manifests.
  }
  return problems.length > 0 ? Result.fail(new InvalidDocument({ source: file, problems })) : Result.succeed(streams)
}

/**
 * Reads the ImageStreams of files and directories (YAML or JSON: ImageStream, ImageStreamList,
 * `v1/List` or multi-document YAML; a directory's `*.yaml`/`*.yml`/`*.json` files in name order),
 * each file bounded as configuration files are. Every problem of every file is collected; no
 * ImageStream at all is an error, never an empty catalog.
 */
export const loadImageStreams = Effect.fn("loadImageStreams")(function*(paths: ReadonlyArray<string>) {
  const where = paths.join(", ")
  const streams: Array<ImageStream> = []
  const errors: Array<InvalidDocument> = []
  for (const path of paths) {
    for (const file of (yield* filesOf(path)).files) {
      const text = yield* readBoundedText(file).pipe(Effect.catchTag("InvalidDocument", (e) => Effect.succeed(e)))
      const read = text instanceof InvalidDocument ? Result.fail(text) : Result.flatMap(parseYamlDocuments(file, text), (documents) => streamsOf(file, documents))
      if (Result.isFailure(read)) errors.push(read.failure)
      else streams.push(...read.success)
    }
  }
  if (errors.length > 0) {
    return yield* new SourceUnavailable({ source: where, reason: "invalid", detail: `not a set of ImageStreams:\n  ${errors.map((e) => e.message).join("\n  ")}` })
  }
  if (streams.length === 0) {
    return yield* new SourceUnavailable({ source: where, reason: "not-found", detail: "no ImageStream found (expected ImageStream manifests: kind ImageStream, ImageStreamList or List)" })
  }
  return streams
})

/**
 * `ImageCatalog` over files of ImageStream manifests (SPEC 8), for `jsp images` and `jsp serve`
 * without a cluster; the files are read once, when first needed.
 */
export const FileImageCatalog = (paths: ReadonlyArray<string>) =>
  Layer.effect(ImageCatalog, Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const streams = yield* Effect.cached(loadImageStreams(paths).pipe(
      Effect.provideService(FileSystem.FileSystem, fs),
      Effect.provideService(Path.Path, path)
    ))
    return ImageCatalog.of({ imageStreams: streams })
  }))
