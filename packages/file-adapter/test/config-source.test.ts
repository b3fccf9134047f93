import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigSource, loadConfiguration } from "@jsp/core"
import { Effect, Layer, Option } from "effect"
import { FileConfigSource, type FileSourceOptions } from "../src/index.ts"

const tree = (files: Record<string, string>): string => {
  const root = mkdtempSync(join(tmpdir(), "jsp-files-"))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(root, name, ".."), { recursive: true })
    writeFileSync(join(root, name), text)
  }
  return root
}

const configMap = (name: string, document: string, labels: Record<string, string> = {}, key = "jupyterhub-singleuser-profiles.yaml") => [
  "kind: ConfigMap",
  "apiVersion: v1",
  "metadata:",
  `  name: ${name}`,
  ...(Object.keys(labels).length === 0 ? [] : ["  labels:", ...Object.entries(labels).map(([k, v]) => `    ${k}: "${v}"`)]),
  "data:",
  `  ${key}: |`,
  ...document.split("\n").map((line) => `    ${line}`)
].join("\n")

const labelled = { "jupyterhub.opendatahub.io/user": "profile" }
const source = (options: FileSourceOptions) => FileConfigSource(options).pipe(Layer.provide(NodeServices.layer))
const profileNames = (options: FileSourceOptions) =>
  loadConfiguration().pipe(Effect.map(({ configuration, warnings }) => ({ names: configuration.profiles.map((p) => p.name), warnings })), Effect.provide(source(options)))

describe("the file source (SPEC 1, File)", () => {
  it.effect("reads a raw document, naming the file as its source", () => Effect.gen(function*() {
    const root = tree({ "profiles.yaml": "profiles: [{ name: a }]\n" })
    const loaded = yield* loadConfiguration().pipe(Effect.provide(source({ paths: [join(root, "profiles.yaml")] })))
    assert.deepStrictEqual(loaded.configuration.profiles.map((p) => [p.name, p.source]), [["a", join(root, "profiles.yaml")]])
  }))

  it.effect("orders ConfigMaps like the cluster: the named one, then the labelled ones by name", () => Effect.gen(function*() {
    const root = tree({
      "all.yaml": [
        configMap("zz-extra", "profiles: [{ name: z }]", labelled),
        configMap("unrelated", "profiles: [{ name: never }]"),
        configMap("aa-extra", "profiles: [{ name: a }]", labelled),
        configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"),
        configMap("no-key", "x: 1", labelled, "other.yaml"),
        "kind: Secret\napiVersion: v1\nmetadata: { name: s }"
      ].join("\n---\n")
    })
    const { names, warnings } = yield* profileNames({ paths: [join(root, "all.yaml")] })
    assert.deepStrictEqual(names, ["main", "a", "z"])
    assert.deepStrictEqual(warnings, [
      { source: join(root, "all.yaml"), message: "Secret is not a ConfigMap; skipped" },
      { source: join(root, "all.yaml"), message: "ConfigMap no-key has no key jupyterhub-singleuser-profiles.yaml; skipped" }
    ])
  }))

  it.effect("a directory of ConfigMap manifests behaves exactly like a v1/List of them", () => Effect.gen(function*() {
    const cms = [
      configMap("b-profiles", "profiles: [{ name: b }]", labelled),
      configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"),
      configMap("a-profiles", "profiles: [{ name: a }]", labelled)
    ]
    const dir = tree({ "1.yaml": cms[0] ?? "", "2.yml": cms[1] ?? "", "3.json.txt": "ignored", "sub/4.yaml": cms[2] ?? "" })
    const list = tree({
      "list.yaml": `apiVersion: v1\nkind: List\nitems:\n${cms.map((cm) => `  - ${cm.split("\n").join("\n    ")}`).join("\n")}\n`
    })
    const fromDir = yield* profileNames({ paths: [dir] })
    const fromList = yield* profileNames({ paths: [join(list, "list.yaml")] })
    assert.deepStrictEqual(fromDir.names, ["main", "b"])
    assert.deepStrictEqual(fromList.names, ["main", "a", "b"])
    const withSub = yield* profileNames({ paths: [dir, join(dir, "sub")] })
    assert.deepStrictEqual(withSub.names, ["main", "b", "a"])
  }))

  it.effect("raw documents come first, in file order; several paths in the order given", () => Effect.gen(function*() {
    const root = tree({
      "b.yaml": "profiles: [{ name: raw-b }]",
      "a.yaml": configMap("jupyter-singleuser-profiles", "profiles: [{ name: main }]"),
      "c.json": "{\"profiles\": [{\"name\": \"raw-c\"}]}",
      "later/override.yaml": "profiles: [{ name: later }]"
    })
    const { names } = yield* profileNames({ paths: [root, join(root, "later")] })
    assert.deepStrictEqual(names, ["raw-b", "raw-c", "main", "later"])
  }))

  it.effect("collects every problem of every file: YAML syntax with line and column, field paths", () => Effect.gen(function*() {
    const root = tree({
      "1-syntax.yaml": "profiles:\n  - name: a\n   users: [x\n",
      "2-fields.yaml": configMap("jupyter-singleuser-profiles", "profiles:\n  - name: a\n    gpu: -1"),
      "3-fine.yaml": "profiles: []"
    })
    const error = yield* Effect.flip(loadConfiguration().pipe(Effect.provide(source({ paths: [root] }))))
    assert.strictEqual(error._tag, "InvalidConfiguration")
    const lines = error.message.split("\n")
    assert.match(lines[0] ?? "", /1-syntax\.yaml: line 3, column \d+: /u)
    assert.strictEqual(lines.at(-1), `${join(root, "2-fields.yaml")}: ConfigMap jupyter-singleuser-profiles key jupyterhub-singleuser-profiles.yaml: profiles[0].gpu: expected a value greater than or equal to 0, got -1`)
  }))

  it.effect("a missing path is SourceUnavailable naming it", () => Effect.gen(function*() {
    const error = yield* Effect.flip(loadConfiguration().pipe(Effect.provide(source({ paths: ["/nonexistent/jsp.yaml"] }))))
    assert.strictEqual(error._tag, "SourceUnavailable")
    assert.match(error.message, /^\/nonexistent\/jsp\.yaml: /u)
  }))

  it.effect("finds a user's settings by the per-user ConfigMap name; none is not an error", () => Effect.gen(function*() {
    const root = tree({
      "profiles.yaml": configMap("jupyter-singleuser-profiles", "profiles: []"),
      "alice.yaml": configMap("jupyterhub-singleuser-profile-alice", "last_selected_size: Small", {}, "profile")
    })
    const settings = (user: string) => ConfigSource.use((s) => s.userSettings(user)).pipe(Effect.provide(source({ paths: [root] })))
    const alice = yield* settings("alice")
    assert.deepStrictEqual(Option.map(alice, (d) => d.content), Option.some({ last_selected_size: "Small" }))
    assert.strictEqual(Option.getOrThrow(alice).source, `${join(root, "alice.yaml")}: ConfigMap jupyterhub-singleuser-profile-alice key profile`)
    assert.isTrue(Option.isNone(yield* settings("carol")))
  }))

  it.effect("an explicit user-settings file is read whatever it is called", () => Effect.gen(function*() {
    const root = tree({
      "raw.yaml": "gpu: 1\n",
      "cm.yaml": configMap("whatever", "last_selected_image: x:1", {}, "profile")
    })
    const read = (file: string) => ConfigSource.use((s) => s.userSettings("alice")).pipe(
      Effect.provide(source({ paths: [], userSettingsFile: join(root, file) })))
    assert.deepStrictEqual(Option.map(yield* read("raw.yaml"), (d) => d.content), Option.some({ gpu: 1 }))
    assert.deepStrictEqual(Option.map(yield* read("cm.yaml"), (d) => d.content), Option.some({ last_selected_image: "x:1" }))
  }))
})
