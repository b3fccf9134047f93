import { Effect } from "effect"
import { imageOptions } from "../images/images.ts"
import { sizeOptions } from "../merge/sizes.ts"
import { ImageCatalog } from "../ports.ts"
import { loadConfiguration, loadUserSettings } from "./configuration.ts"

/** The images a user may choose (SPEC 8), as the spawner form offers them, the user's last choice marked. */
export const listImages = Effect.fnUntraced(function*(user?: string) {
  const { configuration, warnings } = yield* loadConfiguration()
  const settings = user === undefined ? undefined : yield* loadUserSettings(user, configuration)
  const streams = yield* (yield* ImageCatalog).imageStreams
  const view = imageOptions(streams, configuration.ui, settings?.value?.lastSelectedImage)
  return { images: view.images, warnings: [...warnings, ...(settings?.warnings ?? []), ...view.warnings] }
})

/** The sizes a user may choose (SPEC 4), normalised. */
export const listSizes = Effect.fnUntraced(function*() {
  const { configuration, warnings } = yield* loadConfiguration()
  return { sizes: sizeOptions(configuration.sizes), warnings }
})
