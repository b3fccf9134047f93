import { describe, expect, it } from "vitest"
import { defaultImage, formatWarning, imageOptions, type JsonObject } from "../src/index.ts"

const stream = (name: string, tags: ReadonlyArray<string>, extra: { labelled?: boolean; annotations?: Record<string, string>; tagAnnotations?: Record<string, Record<string, string>> } = {}): JsonObject => ({
  metadata: {
    name,
    ...(extra.labelled === false ? {} : { labels: { "opendatahub.io/notebook-image": "true" } }),
    annotations: extra.annotations ?? {}
  },
  spec: { tags: tags.map((tag) => ({ name: tag, annotations: extra.tagAnnotations?.[tag] ?? {} })) },
  status: { tags: tags.map((tag) => ({ tag })) }
})

describe("image options (SPEC 8)", () => {
  it("every tag of every labelled stream, by order then display name; the user's last choice marked", () => {
    const view = imageOptions([
      stream("s2i-b-notebook", ["1"], { annotations: { "opendatahub.io/notebook-image-name": "Alpha" } }),
      stream("s2i-a-notebook", ["2"], { annotations: { "opendatahub.io/notebook-image-order": "5" } }),
      stream("tools", ["1"], { labelled: false })
    ], {}, "s2i-b-notebook:1")
    expect(view.images.map((i) => [i.name, i.displayName, i.order, i.selected])).toEqual([
      ["s2i-a-notebook:2", "s2i-a-notebook:2", 5, false],
      ["s2i-b-notebook:1", "Alpha", 100, true]
    ])
  })

  it("without any labelled stream, the legacy `-notebook` names", () => {
    const view = imageOptions([stream("s2i-x-notebook", ["1"], { labelled: false }), stream("tools", ["1"], { labelled: false })], {})
    expect(view.images.map((i) => i.name)).toEqual(["s2i-x-notebook:1"])
  })

  it("white and black lists name streams or tags, with globs; versions sort newest first", () => {
    const streams = [stream("s2i-py-notebook", ["3.9", "3.10", "3.8"]), stream("s2i-r-notebook", ["4"]), stream("s2i-old-notebook", ["1"])]
    const view = imageOptions(streams, { imageConfig: { whitelist: ["s2i-py*", "s2i-r-notebook:4"], blacklist: ["s2i-py-notebook:3.8"], sort: "version" } })
    expect(view.images.map((i) => i.name)).toEqual(["s2i-py-notebook:3.10", "s2i-py-notebook:3.9", "s2i-r-notebook:4"])
  })

  it("the default image: the user's last, else the one marked default, else the first", () => {
    const streams = [stream("s2i-a-notebook", ["1"]), stream("s2i-b-notebook", ["1"], { tagAnnotations: { "1": { "opendatahub.io/default-image": "true" } } })]
    expect(defaultImage(imageOptions(streams, {}))).toBe("s2i-b-notebook:1")
    expect(defaultImage(imageOptions(streams, {}, "s2i-a-notebook:1"))).toBe("s2i-a-notebook:1")
    expect(defaultImage(imageOptions([stream("s2i-a-notebook", ["1"])], {}))).toBe("s2i-a-notebook:1")
  })

  it("software lists are read; a bad one is a warning naming the stream, tag and annotation", () => {
    const view = imageOptions([stream("s2i-a-notebook", ["1", "2"], { tagAnnotations: {
      "1": { "opendatahub.io/notebook-software": "[{\"name\": \"Python\", \"version\": \"3.8\"}]" },
      "2": { "opendatahub.io/notebook-python-dependencies": "numpy" }
    } })], {})
    expect(view.images[0]?.software).toEqual([{ name: "Python", version: "3.8" }])
    expect(view.warnings.map(formatWarning)).toEqual([
      "ImageStream s2i-a-notebook: spec.tags[name=2].annotations[\"opendatahub.io/notebook-python-dependencies\"]: expected a JSON list of {name, version}; ignored"
    ])
  })
})
