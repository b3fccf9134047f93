import type { GpuType } from "../config/size.ts"
import type { Toleration } from "../config/kubernetes.ts"
import type { Ui } from "../config/ui.ts"

/** How the notebook container is allowed to use a GPU (SPEC 5). */
export type GpuMode = "selinux" | "privileged"

/** The extended resource a GPU count becomes. */
export const gpuResource = "nvidia.com/gpu"

/** Whether the spawner form offers GPUs at all (`ui.gpuConfig.enabled: true`). */
export const gpusOffered = (ui: Ui): boolean => ui.gpuConfig?.enabled === true

/**
 * How many GPUs a user may ask for in their own settings: the form's maximum (checkbox value,
 * dropdown end, input limit), never above `clusterGpuCount`; 1 when nothing bounds it, as the
 * original form did.
 */
export const userGpuMaximum = (ui: Ui): number => {
  const config = ui.gpuConfig
  const cluster = config?.clusterGpuCount
  const byType = config?.type === "checkbox" ? config.gpuCheckbox?.value ?? 1
    : config?.type === "dropdown" ? config.gpuDropdown?.end
    : config?.type === "input" ? config.gpuInput?.limit
    : undefined
  if (byType === undefined) return cluster ?? 1
  return cluster === undefined ? byType : Math.min(byType, cluster)
}

/** The tolerations a GPU request brings: those of the selected type, or of every type. */
export const gpuTolerations = (types: ReadonlyArray<GpuType>, selected?: string): ReadonlyArray<Toleration> =>
  types.filter((t) => selected === undefined || t.type === selected).flatMap((t) => t.node_tolerations)
