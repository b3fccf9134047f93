import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import fc from "fast-check"
import { expect } from "vitest"
import { formatWarning, type ImageOption, optionsForm, optionsFormFor, type SizeOption } from "../src/index.ts"
import { MemoryConfigSource, MemoryImageCatalog, notebookImageStream } from "../src/testing/layers.ts"
import { parseForm, type ParsedSelect } from "./form-html.ts"

const image = (name: string, extra: Partial<ImageOption> = {}): ImageOption => ({
  name, displayName: name, order: 100, software: [], dependencies: [], recommended: false, default: false, selected: false, ...extra
})
const size = (name: string): SizeOption => ({ name, resources: { requests: {}, limits: {} } })

const selected = (select: ParsedSelect | undefined) => select?.options.filter((o) => o.selected).map((o) => o.value)
const byName = (html: string) => Object.fromEntries(parseForm(html).map((s) => [s.name, s]))

describe("the options form (SPEC 9)", () => {
  it("an image dropdown custom_image and a size dropdown size with a Default entry first, each labelled", () => {
    const html = optionsForm({
      images: [image("s2i-minimal-notebook:3.6", { displayName: "Minimal Python", description: "Small" }), image("s2i-spark-notebook:3.6")],
      sizes: [{ name: "Small", resources: { requests: { cpu: "1" }, limits: { cpu: "2", memory: "2Gi" } } }]
    })
    const form = byName(html)
    expect(form["custom_image"]).toEqual({
      name: "custom_image",
      id: "jsp-custom-image",
      label: "Notebook image",
      options: [
        { value: "s2i-minimal-notebook:3.6", label: "Minimal Python (s2i-minimal-notebook:3.6)", title: "Small", selected: true },
        { value: "s2i-spark-notebook:3.6", label: "s2i-spark-notebook:3.6", selected: false }
      ]
    })
    expect(form["size"]).toEqual({
      name: "size",
      id: "jsp-size",
      label: "Container size",
      options: [
        { value: "", label: "Default (resources set by the profiles your administrator configured)", selected: true },
        { value: "Small", label: "Small (requests: cpu 1; limits: cpu 2, memory 2Gi)", selected: false }
      ]
    })
    expect(html).not.toMatch(/<script|\son[a-z]+=/iu)
  })

  it("pre-selects the user's last image, else the default image, else the first", () => {
    const images = [image("a:1"), image("b:1", { default: true }), image("c:1")]
    expect(selected(byName(optionsForm({ images, sizes: [] }))["custom_image"])).toEqual(["b:1"])
    expect(selected(byName(optionsForm({ images: images.map((i) => i.name === "c:1" ? { ...i, selected: true } : i), sizes: [] }))["custom_image"])).toEqual(["c:1"])
    expect(selected(byName(optionsForm({ images: [image("a:1"), image("c:1")], sizes: [] }))["custom_image"])).toEqual(["a:1"])
  })

  it("pre-selects the user's last size; a size no longer configured leaves Default selected", () => {
    const sizes = [size("Small"), size("Large")]
    expect(selected(byName(optionsForm({ images: [], sizes, lastSize: "Large" }))["size"])).toEqual(["Large"])
    expect(selected(byName(optionsForm({ images: [], sizes, lastSize: "Gone" }))["size"])).toEqual([""])
    expect(selected(byName(optionsForm({ images: [], sizes }))["size"])).toEqual([""])
  })

  it("no images: one entry standing for the spawner's own image; no sizes offered: no size dropdown", () => {
    const form = byName(optionsForm({ images: [], sizes: undefined }))
    expect(Object.keys(form)).toEqual(["custom_image"])
    expect(form["custom_image"]?.options).toEqual([{ value: "", label: "The hub's default image (no notebook images are available)", selected: true }])
  })

  it("escapes every value and text: hostile names are text, never markup", () => {
    const hostile = `<script>alert(1)</script>"'&amp;`
    const html = optionsForm({ images: [image(hostile, { displayName: hostile, description: hostile })], sizes: [size(hostile)], lastSize: hostile })
    expect(html).toContain(`value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;amp;"`)
    expect(html).not.toContain("<script")
    const form = byName(html)
    expect(form["custom_image"]?.options).toEqual([{ value: hostile, label: hostile, title: hostile, selected: true }])
    expect(form["size"]?.options.map((o) => [o.value, o.selected])).toEqual([["", false], [hostile, true]])
  })

  it("property: for any names and descriptions the fragment is well-formed, round-trips every value and selects exactly one option per dropdown", () => {
    const text = fc.string({ unit: "binary", maxLength: 30 })
    const images = fc.array(fc.record({ name: text, displayName: text, description: fc.option(text, { nil: undefined }), selected: fc.boolean(), default: fc.boolean() }), { maxLength: 6 })
    const sizes = fc.option(fc.array(text.filter((s) => s !== ""), { maxLength: 5 }), { nil: undefined })
    fc.assert(fc.property(images, sizes, fc.option(text, { nil: undefined }), (imageInput, sizeNames, lastSize) => {
      const html = optionsForm({
        images: imageInput.map(({ name, displayName, description, selected: last, default: isDefault }) =>
          image(name, { displayName, ...(description === undefined ? {} : { description }), selected: last, default: isDefault })),
        sizes: sizeNames?.map(size),
        lastSize
      })
      const form = byName(html)
      const images = form["custom_image"]
      expect(images?.options.map((o) => o.value)).toEqual(imageInput.length === 0 ? [""] : imageInput.map((i) => i.name))
      expect(images?.options.filter((o) => o.selected)).toHaveLength(1)
      images?.options.forEach((o, i) => expect(o.label.startsWith(imageInput[i]?.displayName ?? "")).toBe(true))
      if (sizeNames === undefined) expect(form["size"]).toBeUndefined()
      else {
        expect(form["size"]?.options.map((o) => o.value)).toEqual(["", ...sizeNames])
        expect(form["size"]?.options.filter((o) => o.selected)).toHaveLength(1)
      }
    }), { numRuns: 200 })
  })
})

const config = `
sizes:
  - { name: Small, resources: { requests: { memory: 1Gi } } }
  - { name: Large, resources: { limits: { memory: 8Gi } } }
`
const catalog = MemoryImageCatalog([
  notebookImageStream("s2i-minimal-notebook", ["3.6"], { "opendatahub.io/notebook-image-name": "Minimal" }),
  notebookImageStream("s2i-spark-notebook", ["3.6", "3.8"])
])
const source = (text: string, userSettings: Record<string, string>) => MemoryConfigSource({ documents: [{ source: "main", text }], userSettings })

describe("optionsFormFor: the form for a user, from the configuration, the image catalog and their settings", () => {
  it.effect("the user's last image and size pre-selected; their settings' warnings reported once", () => Effect.gen(function*() {
    const { html, warnings } = yield* optionsFormFor("alice")
    const form = byName(html)
    assert.deepStrictEqual(selected(form["custom_image"]), ["s2i-spark-notebook:3.8"])
    assert.deepStrictEqual(form["custom_image"]?.options.map((o) => o.value), ["s2i-minimal-notebook:3.6", "s2i-spark-notebook:3.6", "s2i-spark-notebook:3.8"])
    assert.deepStrictEqual(form["size"]?.options.map((o) => [o.value, o.selected]), [["", false], ["Small", false], ["Large", true]])
    assert.deepStrictEqual(warnings.map(formatWarning), [
      "memory: ConfigMap jupyterhub-singleuser-profile-alice key profile: resources: users may only set env, last_selected_image, last_selected_size, gpu; ignored"
    ])
  }).pipe(Effect.provide(Layer.merge(source(config, {
    alice: "last_selected_image: s2i-spark-notebook:3.8\nlast_selected_size: Large\nresources: { limits: { cpu: '64' } }"
  }), catalog))))

  it.effect("a user without settings gets the first image and Default; sizes switched off in ui: no size dropdown", () => Effect.gen(function*() {
    const form = byName((yield* optionsFormFor("bob")).html)
    assert.deepStrictEqual(selected(form["custom_image"]), ["s2i-minimal-notebook:3.6"])
    assert.isUndefined(form["size"])
  }).pipe(Effect.provide(Layer.merge(source(`${config}ui: { sizeConfig: { enabled: false } }\n`, {}), catalog))))

  it.effect("an unreachable image catalog is a typed failure", () => Effect.gen(function*() {
    const failure = yield* Effect.flip(optionsFormFor("bob"))
    assert.strictEqual(failure._tag, "SourceUnavailable")
  }).pipe(Effect.provide(Layer.merge(source(config, {}), MemoryImageCatalog(undefined)))))
})
