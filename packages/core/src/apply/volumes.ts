import type { Volume } from "../config/volume.ts"
import type { JsonObject } from "../internal/json.ts"
import { toDnsLabel } from "../kube/names.ts"

/** The default directory volumes are mounted under (SPEC 6). */
export const defaultMountPath = "/opt/app-root/src"

/** A profile volume as a pod volume and the notebook container's mount of it. */
export interface PodVolume {
  readonly volume: JsonObject
  readonly mount: JsonObject
}

const joinPath = (base: string, relative: string): string => `${base.replace(/\/+$/u, "")}/${relative.replace(/^\.?\/+/u, "")}`

/** Where a volume is mounted: absolute as is, relative under the default, absent at `<default>/<name>`. */
export const mountPathOf = (volume: Volume, base: string = defaultMountPath): string => {
  const path = volume.mountPath
  if (path === undefined || path === "") return joinPath(base, volume.name)
  return path.startsWith("/") ? path : joinPath(base, path)
}

/** The pod volume (name made a DNS label) and its mount (SPEC 6). */
export const toPodVolume = (volume: Volume, base: string = defaultMountPath): PodVolume => {
  const name = toDnsLabel(volume.name)
  const claim = volume.persistentVolumeClaim
  return {
    volume: {
      name,
      persistentVolumeClaim: { claimName: claim.claimName, ...(claim.readOnly === undefined ? {} : { readOnly: claim.readOnly }) }
    },
    mount: { name, mountPath: mountPathOf(volume, base), ...(claim.readOnly === true ? { readOnly: true } : {}) }
  }
}
