// The entry bin/jsp starts: the bundle built on install (packages/cli/.bundle, see
// scripts/bundle.ts) when it is as new as every workspace source file it was built from, else
// src/main.ts itself, so that jsp never runs stale code. JSP_BUNDLE=0 always runs the sources.
import { enableCompileCache } from "node:module"
import { fileURLToPath } from "node:url"
import { bundleIsFresh } from "./bundle-fresh.mjs"

const bundle = fileURLToPath(new URL("../.bundle/", import.meta.url))

if (process.env["JSP_BUNDLE"] !== "0" && bundleIsFresh(bundle)) {
  // V8's compiled code kept between runs (keyed by content): most of what starting costs.
  enableCompileCache(`${bundle}cache`)
  await import(new URL("../.bundle/main.mjs", import.meta.url).href)
} else {
  await import(new URL("../src/main.ts", import.meta.url).href)
}
