import { Flag } from "effect/cli"

/** An empty value (`--user ""`) is a usage error, not "no value". */
export const nonEmpty = (flag: Flag.Flag<string>): Flag.Flag<string> =>
  Flag.filter(flag, (value) => value.trim().length > 0, () => "a non-empty value")

/** `--server` must say how to reach the API server: `https://host:port`, or `http://` for a local double. */
const withScheme = (flag: Flag.Flag<string>): Flag.Flag<string> =>
  Flag.filter(flag, (value) => /^https?:\/\/[^/]/u.test(value), () => "a URL starting with https:// (or http://)")

/** How to reach a cluster. */
export const clusterFlags = {
  namespace: nonEmpty(Flag.String("namespace")).pipe(Flag.withAlias("n"), Flag.optional, Flag.withMetavar("NAME"),
    Flag.withDescription("Namespace of the hub (cluster source; default the context's, then the service account's)")),
  kubeconfig: nonEmpty(Flag.String("kubeconfig")).pipe(Flag.optional, Flag.withMetavar("PATH"),
    Flag.withDescription("Kubeconfig file (cluster source; default $KUBECONFIG, ~/.kube/config, then in-cluster)")),
  server: withScheme(Flag.String("server")).pipe(Flag.optional, Flag.withMetavar("URL"),
    Flag.withDescription("API server URL (https://…, or http:// for a local double), with --token, instead of a kubeconfig; cluster source only")),
  token: nonEmpty(Flag.String("token")).pipe(Flag.optional, Flag.withMetavar("TOKEN"), Flag.withDescription("Bearer token for --server")),
  requestTimeout: Flag.Finite("request-timeout").pipe(Flag.withDefault(10), Flag.withMetavar("SECONDS"),
    Flag.withDescription("Seconds one try of an API request may take, connecting, headers and body together; a read's retries together take at most twice that (cluster; default 10)"))
}

/** `--verbose`, which every command takes (the runner reads it). */
export const verboseFlag = Flag.Boolean("verbose").pipe(Flag.withDefault(false), Flag.withDescription("On failure, also print the cause with its stack trace"))

/** Where configuration, images and users' settings come from: files or a cluster. */
export const sourceFlags = {
  config: nonEmpty(Flag.String("config")).pipe(
    Flag.withAlias("c"),
    Flag.atLeast(0),
    Flag.withMetavar("PATH"),
    Flag.withDescription("Configuration: a document, ConfigMap manifest, multi-document YAML, v1/List or directory; repeatable, later wins")
  ),
  source: Flag.Literals("source", ["file", "cluster"]).pipe(Flag.optional, Flag.withMetavar("file|cluster"),
    Flag.withDescription("Read from files (--config) or from the cluster's ConfigMaps; default file when --config is given, else cluster")),
  ...clusterFlags,
  configMap: nonEmpty(Flag.String("configmap")).pipe(Flag.withDefault("jupyter-singleuser-profiles"), Flag.withMetavar("NAME"),
    Flag.withDescription("The ConfigMap read first (default jupyter-singleuser-profiles)")),
  configMapLabel: nonEmpty(Flag.String("configmap-label")).pipe(Flag.withDefault("jupyterhub.opendatahub.io/user=profile"), Flag.withMetavar("KEY=VALUE"),
    Flag.withDescription("Label of the ConfigMaps read after it, in name order (default jupyterhub.opendatahub.io/user=profile)")),
  configMapKey: nonEmpty(Flag.String("configmap-key")).pipe(Flag.withDefault("jupyterhub-singleuser-profiles.yaml"), Flag.withMetavar("KEY"),
    Flag.withDescription("Data key of the configuration document (default jupyterhub-singleuser-profiles.yaml)")),
  verbose: verboseFlag
}

/** The flags that say who spawns what, shared by apply, resolve and explain. */
export const spawnFlags = {
  ...sourceFlags,
  user: nonEmpty(Flag.String("user")).pipe(Flag.optional, Flag.withMetavar("NAME"),
    Flag.withDescription("User name (apply: default the pod's hub.jupyter.org/username annotation)")),
  group: nonEmpty(Flag.String("group")).pipe(Flag.atLeast(0), Flag.withMetavar("NAME"),
    Flag.withDescription("JupyterHub group of the user; repeatable (apply: default the pod's jsp.opendatahub.io/groups annotation)")),
  image: nonEmpty(Flag.String("image")).pipe(Flag.optional, Flag.withMetavar("REF"),
    Flag.withDescription("Notebook image (apply: default the notebook container's image; resolve/explain: default the user's last selected image)")),
  size: nonEmpty(Flag.String("size")).pipe(Flag.optional, Flag.withMetavar("NAME"),
    Flag.withDescription("Container size (default: the user's last selected size, if any)")),
  gpuType: nonEmpty(Flag.String("gpu-type")).pipe(Flag.optional, Flag.withMetavar("TYPE"),
    Flag.withDescription("GPU type whose tolerations apply (default: every type in gpuTypes)")),
  userSettings: nonEmpty(Flag.String("user-settings")).pipe(Flag.optional, Flag.withMetavar("PATH"),
    Flag.withDescription("The user's settings (document or ConfigMap), instead of looking for jupyterhub-singleuser-profile-<user> in --config")),
}

/** `--imagestreams`: the image catalog from files of ImageStream manifests instead of the cluster. */
export const imageStreamsFlag = nonEmpty(Flag.String("imagestreams")).pipe(Flag.atLeast(0), Flag.withMetavar("PATH"),
  Flag.withDescription("ImageStream manifests (ImageStream, ImageStreamList or List; file or directory; repeatable) instead of the cluster's ImageStreams"))

/** `--output json|yaml`. */
export const outputFlag = Flag.Literals("output", ["json", "yaml"]).pipe(
  Flag.withAlias("o"), Flag.withDefault("json"), Flag.withMetavar("json|yaml"), Flag.withDescription("Output format: json (default) or yaml"))
