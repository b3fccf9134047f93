import { Result } from "effect"
import type { PodView } from "../decode/pod.ts"
import { MissingInput } from "../errors/errors.ts"
import { usernameAnnotation } from "../kube/annotations.ts"
import type { UserSettings } from "../user-settings/read.ts"

/** What a caller says about a spawn; whatever it leaves out is read from the pod, then from the user's settings. */
export interface SpawnInput {
  readonly user?: string | undefined
  readonly groups?: ReadonlyArray<string> | undefined
  readonly image?: string | undefined
  readonly size?: string | undefined
  readonly gpuType?: string | undefined
}

/** Who asked for a size: an unknown size the user's settings remember only warns; one asked for may be an error. */
export type SizeOrigin = "request" | "user-settings"

/** A spawn with everything selection and merging need (SPEC 2, 4, 5). */
export interface Spawn {
  readonly user: string
  readonly groups: ReadonlyArray<string>
  readonly image: string
  readonly size?: { readonly name: string; readonly origin: SizeOrigin }
  readonly gpuType?: string
}

/** The user of a spawn: the caller's, else the pod's annotation. */
export const spawnUser = (input: SpawnInput, pod: PodView | undefined): Result.Result<string, MissingInput> => {
  const user = input.user ?? pod?.spawn.user
  return user === undefined
    ? Result.fail(new MissingInput({ what: "user", hint: pod === undefined ? "name one (--user)" : `name one, or annotate the pod with ${usernameAnnotation}` }))
    : Result.succeed(user)
}

/**
 * Completes a spawn (SPEC 5): what the caller said, then what the pod says (annotations, the
 * notebook container's image), then the user's settings (last image, last size).
 */
export const completeSpawn = (
  user: string,
  input: SpawnInput,
  pod: PodView | undefined,
  settings: UserSettings | undefined
): Result.Result<Spawn, MissingInput> => {
  const fromPod = pod?.spawn
  const image = input.image ?? fromPod?.image ?? settings?.lastSelectedImage
  if (image === undefined) {
    return Result.fail(new MissingInput({
      what: "image",
      hint: pod === undefined ? "name one (--image), or the user must have a last selected image" : "name one, or give the notebook container an image"
    }))
  }
  const asked = input.size ?? fromPod?.size
  const size = asked !== undefined
    ? { name: asked, origin: "request" as const }
    : settings?.lastSelectedSize === undefined ? undefined : { name: settings.lastSelectedSize, origin: "user-settings" as const }
  const gpuType = input.gpuType ?? fromPod?.gpuType
  return Result.succeed({
    user,
    groups: input.groups ?? fromPod?.groups ?? [],
    image,
    ...(size === undefined ? {} : { size }),
    ...(gpuType === undefined ? {} : { gpuType })
  })
}
