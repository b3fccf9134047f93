import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ImageCatalog, isJsonObject, listImages } from "@jsp/core"
import { MemoryConfigSource } from "@jsp/core/testing"
import { Effect, Layer } from "effect"
import { FileImageCatalog, maxFileBytes } from "../src/index.ts"

const tree = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), "jsp-imagestreams-"))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, ".."), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  return root
}

const stream = (name: string, tag = "1") => [
  "apiVersion: image.openshift.io/v1",
  "kind: ImageStream",
  `metadata: { name: ${name}, labels: { opendatahub.io/notebook-image: "true" } }`,
  `status: { tags: [{ tag: "${tag}" }] }`
].join("\n")

const catalog = (paths: ReadonlyArray<string>) => FileImageCatalog(paths).pipe(Layer.provide(NodeServices.layer))
const streamNames = (paths: ReadonlyArray<string>) =>
  ImageCatalog.use((c) => c.imageStreams).pipe(
    Effect.map((streams) => streams.map((s) => {
      const metadata = s["metadata"]
      return isJsonObject(metadata) ? metadata["name"] : undefined
    })),
    Effect.provide(catalog(paths)))
const failure = (paths: ReadonlyArray<string>) => Effect.flip(streamNames(paths))

describe("FileImageCatalog: ImageStreams from files (SPEC 8)", () => {
  it.effect("reads ImageStream, ImageStreamList, v1/List, multi-document YAML and JSON; a directory in name order", () => Effect.gen(function*() {
    const root = tree({
      "b.yaml": `${stream("b-notebook")}\n---\n${stream("c-notebook")}\n`,
      "a.json": JSON.stringify({ apiVersion: "image.openshift.io/v1", kind: "ImageStreamList", items: [{ kind: "ImageStream", metadata: { name: "a-notebook" } }] }),
      "d.yml": `apiVersion: v1\nkind: List\nitems:\n  - { kind: ConfigMap, metadata: { name: skipped } }\n  - ${stream("d-notebook").split("\n").join("\n    ")}\n`,
      "notes.txt": "not read",
      "sub/e.yaml": stream("never-read")
    })
    assert.deepStrictEqual(yield* streamNames([root]), ["a-notebook", "b-notebook", "c-notebook", "d-notebook"])
    assert.deepStrictEqual(yield* streamNames([join(root, "d.yml"), join(root, "a.json")]), ["d-notebook", "a-notebook"])
  }))

  it.effect("the project's example file gives the images `jsp images` shows from a cluster", () => Effect.gen(function*() {
    const example = fileURLToPath(new URL("../../../examples/cluster/imagestreams.yaml", import.meta.url))
    const { images } = yield* listImages("alice").pipe(Effect.provide(Layer.merge(catalog([example]), MemoryConfigSource({ documents: [{ source: "main", text: "profiles: []" }] }))))
    assert.deepStrictEqual(images.map((i) => [i.name, i.displayName, i.default]), [
      ["s2i-minimal-notebook:3.6", "Minimal Python", true],
      ["s2i-spark-notebook:3.6", "s2i-spark-notebook:3.6", false],
      ["s2i-thoth-notebook:3.6", "s2i-thoth-notebook:3.6", false]
    ])
  }))

  it.effect("every problem of every file, named by file, document and item; YAML errors by line and column", () => Effect.gen(function*() {
    const root = tree({
      "a.yaml": `${stream("ok")}\n---\n- just a list\n---\napiVersion: v1\nkind: List\nitems: [{ kind: ImageStream, metadata: {} }]\n`,
      "b.yaml": "kind: ImageStream\nmetadata: { name: [unclosed\n"
    })
    const error = yield* failure([root])
    assert.strictEqual(error._tag, "SourceUnavailable")
    assert.strictEqual(error.reason, "invalid")
    assert.strictEqual(error.message.split("\n")[0], `${root}: not a set of ImageStreams:`)
    assert.include(error.message, `${join(root, "a.yaml")}: document 2: expected a Kubernetes object (an ImageStream, ImageStreamList or List)`)
    assert.include(error.message, `${join(root, "a.yaml")}: document 3 items[0] metadata.name: missing: an ImageStream has a name`)
    assert.match(error.message, new RegExp(`${join(root, "b.yaml")}: line \\d+, column \\d+: `, "u"))
  }))

  it.effect("no ImageStream at all is an error, not an empty catalog; a missing path or an oversized file too", () => Effect.gen(function*() {
    const root = tree({ "cm.yaml": "kind: ConfigMap\nmetadata: { name: x }\n", "empty.yaml": "" })
    const none = yield* failure([root])
    assert.strictEqual(none.reason, "not-found")
    assert.include(none.message, "no ImageStream found")
    const missing = yield* failure([join(root, "nope.yaml")])
    assert.deepStrictEqual([missing.reason, missing.message], ["not-found", `${join(root, "nope.yaml")}: no such file or directory`])
    const big = join(root, "big.yaml")
    writeFileSync(big, Buffer.alloc(maxFileBytes + 1, 0x20))
    assert.include((yield* failure([big])).message, "larger than the 8 MiB jsp reads of one input")
  }))

  it.effect("the files are read once per layer, when first needed", () => Effect.gen(function*() {
    const root = tree({ "s.yaml": stream("first-notebook") })
    const layer = catalog([join(root, "s.yaml")])
    const names = yield* Effect.gen(function*() {
      const c = yield* ImageCatalog
      const before = yield* c.imageStreams
      writeFileSync(join(root, "s.yaml"), stream("second-notebook"))
      return [before, yield* c.imageStreams].map((streams) => streams.length)
    }).pipe(Effect.provide(layer))
    assert.deepStrictEqual(names, [1, 1])
  }))
})
