import { Flag } from "effect/cli"

/** `--config PATH`, repeatable: read in the order given, later wins. */
export const configFlag = Flag.String("config").pipe(
  Flag.withAlias("c"),
  Flag.atLeast(1),
  Flag.withMetavar("PATH"),
  Flag.withDescription("Configuration: a document, ConfigMap manifest, multi-document YAML, v1/List or directory; repeatable, later wins")
)

/** The flags that say who spawns what, shared by apply, resolve and explain. */
export const spawnFlags = {
  config: configFlag,
  user: Flag.String("user").pipe(Flag.optional, Flag.withMetavar("NAME"),
    Flag.withDescription("User name (apply: default the pod's hub.jupyter.org/username annotation)")),
  group: Flag.String("group").pipe(Flag.atLeast(0), Flag.withMetavar("NAME"),
    Flag.withDescription("JupyterHub group of the user; repeatable (apply: default the pod's jsp.opendatahub.io/groups annotation)")),
  image: Flag.String("image").pipe(Flag.optional, Flag.withMetavar("REF"),
    Flag.withDescription("Notebook image (apply: default the notebook container's image; resolve/explain: default the user's last selected image)")),
  size: Flag.String("size").pipe(Flag.optional, Flag.withMetavar("NAME"),
    Flag.withDescription("Container size (default: the user's last selected size, if any)")),
  gpuType: Flag.String("gpu-type").pipe(Flag.optional, Flag.withMetavar("TYPE"),
    Flag.withDescription("GPU type whose tolerations apply (default: every type in gpuTypes)")),
  userSettings: Flag.String("user-settings").pipe(Flag.optional, Flag.withMetavar("PATH"),
    Flag.withDescription("The user's settings (document or ConfigMap), instead of looking for jupyterhub-singleuser-profile-<user> in --config")),
  verbose: Flag.Boolean("verbose").pipe(Flag.withDefault(false), Flag.withDescription("On failure, also print the cause with its stack trace"))
}

/** `--output json|yaml`. */
export const outputFlag = Flag.Literals("output", ["json", "yaml"]).pipe(
  Flag.withAlias("o"), Flag.withDefault("json"), Flag.withDescription("Output format: json (default) or yaml"))
