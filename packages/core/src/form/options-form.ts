import { defaultImage, type ImageOption } from "../images/images.ts"
import type { SizeOption } from "../merge/sizes.ts"
import { escapeHtml } from "./html.ts"

/** What the spawner's options form offers (SPEC 9). */
export interface OptionsFormInput {
  /** The images as `imageOptions` orders them, the user's last choice marked `selected`. */
  readonly images: ReadonlyArray<ImageOption>
  /** The sizes; undefined when the form offers none (`ui.sizeConfig.enabled: false`). */
  readonly sizes: ReadonlyArray<SizeOption> | undefined
  /** The user's `last_selected_size`. */
  readonly lastSize?: string | undefined
}

/** The value of the size form's "Default" entry: no size, the profiles' resources (SPEC 4). */
export const defaultSizeValue = ""

/** The value the image form sends when there is no image to choose: the spawner's own image. */
export const noImageValue = ""

const option = (value: string, label: string, selected: boolean, title?: string): string =>
  `<option value="${escapeHtml(value)}"${title === undefined ? "" : ` title="${escapeHtml(title)}"`}${selected ? " selected" : ""}>${escapeHtml(label)}</option>`

const quantities = (list: Readonly<Record<string, string>>): string => {
  const entries = Object.entries(list)
  return entries.length === 0 ? "none" : entries.map(([k, v]) => `${k} ${v}`).join(", ")
}

// Tags of one ImageStream share its display name: the reference tells them apart.
const imageLabel = (image: ImageOption): string => image.displayName === image.name ? image.name : `${image.displayName} (${image.name})`

const sizeLabel = (size: SizeOption): string =>
  `${size.name} (requests: ${quantities(size.resources.requests)}; limits: ${quantities(size.resources.limits)})`

const select = (id: string, name: string, label: string, options: ReadonlyArray<string>): string =>
  `<div class="form-group">\n<label for="${id}">${label}</label>\n<select class="form-control" id="${id}" name="${name}">\n${options.join("\n")}\n</select>\n</div>`

/**
 * The HTML fragment for KubeSpawner's `options_form` (SPEC 9): an image dropdown `custom_image`
 * (the user's last choice, else the default image, pre-selected) and a size dropdown `size` whose
 * first entry, "Default" (value ""), stands for no size; every value and text HTML-escaped, no script.
 */
export const optionsForm = ({ images, sizes, lastSize }: OptionsFormInput): string => {
  // By index: the first of a repeated name is the one pre-selected, one selected option per dropdown.
  const chosenImage = images.findIndex((i) => i.name === defaultImage({ images }))
  const imageOptions = images.length === 0
    ? [option(noImageValue, "The hub's default image (no notebook images are available)", true)]
    : images.map((image, i) => option(image.name, imageLabel(image), i === chosenImage, image.description))
  const parts = [select("jsp-custom-image", "custom_image", "Notebook image", imageOptions)]
  if (sizes !== undefined) {
    // A stale last size (no longer configured) leaves "Default" selected.
    const chosenSize = lastSize === undefined ? -1 : sizes.findIndex((s) => s.name === lastSize)
    parts.push(select("jsp-size", "size", "Container size", [
      option(defaultSizeValue, "Default (resources set by the profiles your administrator configured)", chosenSize === -1),
      ...sizes.map((size, i) => option(size.name, sizeLabel(size), i === chosenSize))
    ]))
  }
  return `<div class="jsp-options">\n${parts.join("\n")}\n</div>\n`
}
