/** The label that names the pod's user (escaped to a valid label value). */
export const userLabel = "jupyterhub.opendatahub.io/user"
/** The annotation listing what was applied, in order, as a JSON array. */
export const appliedProfilesAnnotation = "jsp.opendatahub.io/applied-profiles"
/** The annotation KubeSpawner puts the raw user name in. */
export const usernameAnnotation = "hub.jupyter.org/username"
/** The annotation holding the user's JupyterHub groups (JSON list or comma-separated). */
export const groupsAnnotation = "jsp.opendatahub.io/groups"
/** The annotation holding the size chosen in the spawner form (how a spawner passes it to the webhook). */
export const sizeAnnotation = "jsp.opendatahub.io/size"
/** The annotation holding the GPU type chosen in the spawner form. */
export const gpuTypeAnnotation = "jsp.opendatahub.io/gpu-type"

/** On a user's reference ConfigMap of services: whose it is, as the hub names them (the ConfigMap's name is escaped). */
export const serviceOwnerUserAnnotation = "jsp.opendatahub.io/user"
