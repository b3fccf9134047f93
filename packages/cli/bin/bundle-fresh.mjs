// Whether the bundle of jsp (built on install by scripts/bundle.ts) may run: plain JavaScript, so
// that deciding costs no TypeScript loader.
import { readFileSync, statSync } from "node:fs"
import { join } from "node:path"

/**
 * True when `dir` holds a bundle whose manifest lists the workspace source files it was built from,
 * each with the modification time and size it had then, and every one of them is still so. False
 * when a file changed, moved or went away, or there is no manifest: run the sources instead.
 * @param {string} dir
 * @returns {boolean}
 */
export const bundleIsFresh = (dir) => {
  let manifest
  try {
    manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"))
  } catch {
    return false
  }
  if (manifest === null || typeof manifest !== "object" || !Array.isArray(manifest.inputs) || manifest.inputs.length === 0) return false
  for (const input of manifest.inputs) {
    try {
      // Paths are relative to the bundle's folder, so that a moved checkout keeps its bundle.
      const stat = statSync(join(dir, input.path))
      if (stat.mtimeMs !== input.mtimeMs || stat.size !== input.size) return false
    } catch {
      return false
    }
  }
  return true
}
