import { imageStreams, type FakeApiServer } from "@jsp/kube-fake"
import { defaultImage, formatWarning, ImageCatalog, imageOptions } from "@jsp/core"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it } from "vitest"
import { type Cluster, ClusterImageCatalog } from "../src/index.ts"
import { namespace, startFake } from "./helpers.ts"

let fake: FakeApiServer
let cluster: Cluster
beforeEach(async () => ({ fake, cluster } = await startFake()))
afterEach(() => fake.stop())

const stream = (name: string, tags: ReadonlyArray<string>, options: { labelled?: boolean; annotations?: Record<string, string>; tagAnnotations?: Record<string, Record<string, string>> } = {}) => ({
  metadata: {
    name,
    ...(options.labelled === false ? {} : { labels: { "opendatahub.io/notebook-image": "true" } }),
    ...(options.annotations === undefined ? {} : { annotations: options.annotations })
  },
  spec: { tags: tags.map((tag) => ({ name: tag, annotations: options.tagAnnotations?.[tag] ?? {} })) },
  status: { tags: tags.map((tag) => ({ tag, items: [] })) }
})

const streams = () => Effect.runPromise(Effect.provide(ImageCatalog.use((c) => c.imageStreams), ClusterImageCatalog(cluster)))

describe("ImageCatalog over ImageStreams (SPEC 8)", () => {
  it("lists the labelled ImageStreams; every status tag is an option described by the annotations", async () => {
    fake.put(imageStreams, namespace, stream("s2i-minimal-notebook", ["v0.0.4", "v0.0.10"], {
      annotations: { "opendatahub.io/notebook-image-name": "Minimal Python", "opendatahub.io/notebook-image-desc": "Just Python", "opendatahub.io/notebook-image-order": "10" },
      tagAnnotations: {
        "v0.0.10": {
          "opendatahub.io/notebook-software": "[{\"name\":\"Python\",\"version\":\"v3.8\"}]",
          "opendatahub.io/notebook-python-dependencies": "[{\"name\":\"JupyterLab\",\"version\":\"3.0\"}]",
          "opendatahub.io/notebook-image-recommended": "true",
          "opendatahub.io/default-image": "true"
        }
      }
    }))
    fake.put(imageStreams, namespace, stream("s2i-spark-notebook", ["3.6"]))
    fake.put(imageStreams, namespace, stream("not-a-notebook-at-all", ["1"], { labelled: false }))
    const view = imageOptions(await streams(), {}, "s2i-spark-notebook:3.6")
    // Order 10 before the default 100; then by display name and name.
    expect(view.images.map((i) => i.name)).toEqual(["s2i-minimal-notebook:v0.0.10", "s2i-minimal-notebook:v0.0.4", "s2i-spark-notebook:3.6"])
    const recommended = view.images.find((i) => i.name === "s2i-minimal-notebook:v0.0.10")
    expect(recommended).toMatchObject({
      displayName: "Minimal Python", description: "Just Python", order: 10, recommended: true, default: true,
      software: [{ name: "Python", version: "v3.8" }], dependencies: [{ name: "JupyterLab", version: "3.0" }]
    })
    expect(view.images.find((i) => i.selected)?.name).toBe("s2i-spark-notebook:3.6")
    expect(defaultImage(view)).toBe("s2i-spark-notebook:3.6")
    expect(defaultImage(imageOptions(await streams(), {}))).toBe("s2i-minimal-notebook:v0.0.10")
  })

  it("falls back to ImageStreams named -notebook when none is labelled", async () => {
    fake.put(imageStreams, namespace, stream("s2i-scipy-notebook", ["1"], { labelled: false }))
    fake.put(imageStreams, namespace, stream("base-image", ["1"], { labelled: false }))
    expect(imageOptions(await streams(), {}).images.map((i) => i.name)).toEqual(["s2i-scipy-notebook:1"])
    expect(fake.count("list")).toBe(2)
  })

  it("applies ui.imageConfig: whitelist, blacklist, sort by version", async () => {
    fake.put(imageStreams, namespace, stream("s2i-minimal-notebook", ["3.9", "3.10", "3.8"]))
    fake.put(imageStreams, namespace, stream("s2i-spark-notebook", ["1"]))
    fake.put(imageStreams, namespace, stream("s2i-gpu-notebook", ["1", "2"]))
    const all = await streams()
    expect(imageOptions(all, { imageConfig: { sort: "version", blacklist: ["s2i-gpu-notebook:1", "s2i-spark-*"] } }).images.map((i) => i.name))
      .toEqual(["s2i-gpu-notebook:2", "s2i-minimal-notebook:3.10", "s2i-minimal-notebook:3.9", "s2i-minimal-notebook:3.8"])
    expect(imageOptions(all, { imageConfig: { whitelist: ["s2i-spark-notebook"] } }).images.map((i) => i.name)).toEqual(["s2i-spark-notebook:1"])
  })

  it("a bad annotation is a warning, not a failure", async () => {
    fake.put(imageStreams, namespace, stream("s2i-x-notebook", ["1"], {
      annotations: { "opendatahub.io/notebook-image-order": "first" },
      tagAnnotations: { "1": { "opendatahub.io/notebook-software": "Python 3" } }
    }))
    const view = imageOptions(await streams(), {})
    expect(view.images[0]).toMatchObject({ order: 100, software: [] })
    expect(view.warnings.map(formatWarning)).toEqual([
      "ImageStream s2i-x-notebook: metadata.annotations[\"opendatahub.io/notebook-image-order\"]: \"first\" is not a number; 100 used",
      "ImageStream s2i-x-notebook: spec.tags[name=1].annotations[\"opendatahub.io/notebook-software\"]: expected a JSON list of {name, version}; ignored"
    ])
  })
})
