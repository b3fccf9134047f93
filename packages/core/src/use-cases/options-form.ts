import { Effect } from "effect"
import { optionsForm } from "../form/options-form.ts"
import { listImages, listSizes } from "./catalog.ts"
import { loadConfiguration, loadUserSettings } from "./configuration.ts"

/**
 * The spawner's options form for a user (SPEC 9): the images they may choose and the sizes, their
 * last choices pre-selected; the sizes only when the form offers them (`ui.sizeConfig.enabled`).
 */
export const optionsFormFor = Effect.fnUntraced(function*(user: string) {
  // listImages's warnings already hold the configuration's and the user's settings'; the reads
  // below are the same cached ones, so their warnings are not added twice.
  const images = yield* listImages(user)
  const { sizes } = yield* listSizes()
  const { configuration } = yield* loadConfiguration()
  const settings = yield* loadUserSettings(user, configuration)
  const html = optionsForm({
    images: images.images,
    sizes: configuration.ui.sizeConfig?.enabled === false ? undefined : sizes,
    lastSize: settings.value?.lastSelectedSize
  })
  return { html, warnings: images.warnings }
})
