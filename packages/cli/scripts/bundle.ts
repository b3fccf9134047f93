// Builds the bundle bin/jsp runs: src/main.ts and what it imports as a few ES modules in
// packages/cli/.bundle, with a manifest of the workspace source files it was built from (their
// modification times and sizes), which bin/bundle-fresh.mjs checks before every run.
// Run on install (the root package's postinstall) and by `npx -y pnpm@10 run bundle`.
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { build, type Plugin } from "esbuild"

const cliDir = fileURLToPath(new URL("..", import.meta.url))
const root = resolve(cliDir, "../..")
/** Where bin/jsp.mjs looks for the bundle. */
export const bundleDir = join(cliDir, ".bundle")

// effect's CLI measures text with an Intl.Segmenter it creates when its module loads: 10-15 ms and
// ~9 MiB of ICU data on every start. Bundled, it is created on first use, and text of printable
// ASCII only (each character a grapheme of width 1, all of jsp's help) is split without it: the
// same segments, so the same widths. If effect's text ever differs, the bundle is built unchanged
// with a warning (and bench/startup.ts shows the cost).
const eagerSegmenter = /const graphemeSegmenter = \/\*#__PURE__\*\/new Intl\.Segmenter\(undefined, \{\s*granularity: "grapheme"\s*\}\);/u
const lazySegmenter = `let graphemeSegmenterInstance;
const graphemeSegmenter = {
  segment: (text) => /^[\\x20-\\x7e]*$/.test(text)
    ? Array.from(text, (segment) => ({ segment }))
    : (graphemeSegmenterInstance ??= new Intl.Segmenter(undefined, { granularity: "grapheme" })).segment(text)
};`
const lazyIntlSegmenter: Plugin = {
  name: "lazy-intl-segmenter",
  setup(plugin) {
    plugin.onLoad({ filter: /[\\/]effect[\\/]dist[\\/]cli[\\/]CliOutput\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8")
      if (eagerSegmenter.test(text)) return { contents: text.replace(eagerSegmenter, () => lazySegmenter), loader: "js" }
      return { contents: text, loader: "js", warnings: [{ text: "effect's CliOutput changed: its Intl.Segmenter is created eagerly" }] }
    })
  }
}

// Node's crypto, child_process and readline cost 20-25 ms to load, and a run of jsp seldom needs
// them (a hash for a long name, never a child process or a prompt): where effect's Node services and
// the workspace's code import them, they get functions that load the module on first call. Only functions are offered: an
// import of anything else fails the build (import-is-undefined is an error below), and jsp then
// runs from its sources rather than from a wrong bundle.
const lazyBuiltins = ["crypto", "child_process", "readline"]
// (The cluster client, loaded only for the cluster, keeps its modules as they are.)
const lazyImporter = /[\\/](@effect[\\/]platform-node-shared|packages[\\/][^\\/]+[\\/]src)[\\/]/u
const lazyBuiltinModules: Plugin = {
  name: "lazy-builtin-modules",
  setup(plugin) {
    plugin.onResolve({ filter: new RegExp(`^(node:)?(${lazyBuiltins.join("|")})$`) }, (args) =>
      args.kind === "import-statement" && lazyImporter.test(args.importer) ? { path: args.path.replace(/^node:/u, ""), namespace: "lazy-builtin" } : undefined)
    plugin.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, async (args) => {
      const real: Record<string, unknown> = await import(`node:${args.path}`)
      const functions = Object.keys(real).filter((key) => key !== "default" && /^[A-Za-z_$][\w$]*$/u.test(key) && typeof real[key] === "function")
      return {
        loader: "js",
        contents: [
          `import { createRequire } from "node:module";`,
          `let real;`,
          `const load = () => real ??= createRequire(import.meta.url)("node:${args.path}");`,
          ...functions.map((key) =>
            `export function ${key}(...args) { return new.target ? Reflect.construct(load().${key}, args, new.target) : load().${key}.apply(this, args); }`)
        ].join("\n")
      }
    })
  }
}

interface Input { readonly path: string; readonly mtimeMs: number; readonly size: number }

/** Builds the bundle into `outDir` (replaced whole, never seen half-written); returns its inputs. */
export const buildBundle = async (outDir: string = bundleDir, options: { readonly minify?: boolean } = {}): Promise<ReadonlyArray<string>> => {
  for (let attempt = 1; ; attempt++) {
    const started = Date.now()
    const staging = `${outDir}.tmp-${process.pid}`
    rmSync(staging, { recursive: true, force: true })
    const result = await build({
      absWorkingDir: root,
      entryPoints: [join(cliDir, "src/main.ts")],
      outdir: staging,
      bundle: true,
      splitting: true, // the cluster adapter, imported dynamically, stays in a chunk of its own
      format: "esm",
      outExtension: { ".js": ".mjs" },
      platform: "node",
      target: "node24",
      // Whitespace and syntax only: names stay readable in --verbose stack traces.
      minifyWhitespace: options.minify ?? true,
      minifySyntax: options.minify ?? true,
      legalComments: "none",
      metafile: true,
      logLevel: "warning",
      plugins: [lazyIntlSegmenter, lazyBuiltinModules],
      logOverride: { "import-is-undefined": "error" },
      // CommonJS dependencies (yaml) require Node's modules.
      banner: { js: "import { createRequire as __jspCreateRequire } from \"node:module\"; const require = __jspCreateRequire(import.meta.url);" }
    })
    const sources = Object.keys(result.metafile.inputs)
      .filter((p) => !p.startsWith("lazy-builtin:") && !p.split(/[\\/]/u).includes("node_modules"))
      .map((p) => resolve(root, p))
    // The package.json of each workspace package involved (exports, dependencies) and this script.
    const packageFiles = [...new Set(sources.flatMap((p) => relative(root, p).match(/^packages\/[^\\/]+/u) ?? []))].map((p) => join(root, p, "package.json"))
    const files = [...sources, ...packageFiles, fileURLToPath(import.meta.url)]
    const inputs: Array<Input> = files.map((file) => {
      const stat = statSync(file)
      return { path: relative(outDir, file), mtimeMs: stat.mtimeMs, size: stat.size }
    })
    // A file changed while esbuild read it: its content may be older than the time recorded.
    if (inputs.some((i) => i.mtimeMs >= started) && attempt < 3) continue
    writeFileSync(join(staging, "manifest.json"), `${JSON.stringify({ built: new Date(started).toISOString(), inputs }, null, 1)}\n`)
    const old = `${outDir}.old-${process.pid}`
    mkdirSync(dirname(outDir), { recursive: true })
    try {
      renameSync(outDir, old)
    } catch {
      // no bundle yet
    }
    try {
      renameSync(staging, outDir)
    } finally {
      // Another install may have put its bundle in place meanwhile: that one stays.
      rmSync(staging, { recursive: true, force: true })
      rmSync(old, { recursive: true, force: true })
    }
    return files.map((f) => relative(root, f))
  }
}

if (import.meta.main) {
  try {
    const inputs = await buildBundle()
    // One run fills V8's compile cache, so that the first jsp a person runs is fast too.
    spawnSync(process.execPath, [join(cliDir, "bin/jsp.mjs"), "--help"], { stdio: "ignore", timeout: 60_000 })
    console.log(`jsp: bundle built in ${relative(root, bundleDir)} from ${inputs.length} workspace files`)
  } catch (error) {
    // jsp still works without a bundle: bin/jsp.mjs runs src/main.ts. Installing must not fail.
    rmSync(`${bundleDir}.tmp-${process.pid}`, { recursive: true, force: true })
    console.error(`jsp: could not build the bundle (${error instanceof Error ? error.message : String(error)}); jsp runs from its sources`)
  }
}
