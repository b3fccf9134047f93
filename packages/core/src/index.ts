// The public names of @jsp/core, in the order of the pipeline: source → decode → select → merge
// → apply, then explain, images, users' settings, services, the ports and the use cases over them.

// The configuration document (SPEC 1–7): Effect Schemas and their types.
export { ConfigDocument } from "./config/document.ts"
export type { EnvVar, NodeAffinity, Toleration } from "./config/kubernetes.ts"
export { Profile, type ProfileBody } from "./config/profile.ts"
export type { Quantity, Resources } from "./config/resources.ts"
export type { Service } from "./config/service.ts"
export type { GpuType, Size } from "./config/size.ts"
export type { Ui } from "./config/ui.ts"
export type { Volume } from "./config/volume.ts"
export { configJsonSchema } from "./config/json-schema.ts"

// Sources: which ConfigMaps, in which order (SPEC 1).
export {
  type ConfigMapNames,
  type ConfigMapView,
  configDocumentsOf,
  configMapView,
  defaultConfigMapNames,
  type DocumentText,
  documentOf,
  inConfigurationOrder,
  isConfigConfigMap,
  missingKeyWarning,
  noConfigurationWarning,
  parseRawDocument,
  type RawDocument,
  storedUserSettingsOf
} from "./sources/config-maps.ts"
export { defaultStaleBoundMs, type Readiness, readiness } from "./sources/readiness.ts"

// Decode: text → documents → one configuration; pods read once.
export { maxAliasExpansion, maxNestingDepth, parseYamlDocuments } from "./decode/yaml.ts"
export { type Decoded, type DecodeOptions, decodeWith } from "./decode/schema.ts"
export {
  combineDocuments,
  type Configuration,
  decodeConfigDocument,
  decodeConfigDocuments,
  decodeConfigText,
  type DecodedDocuments,
  type NamedProfile,
  type SourcedDocument
} from "./decode/configuration.ts"
export { podUsername, type PodView, readPod } from "./decode/pod.ts"

// Select (SPEC 2).
export { completeSpawn, type SizeOrigin, type Spawn, type SpawnInput } from "./select/spawn.ts"
export { imageEntryMatches, profileMatches, selectProfiles } from "./select/select.ts"

// Merge (SPEC 3–5).
export { type Contribution, type MergedProfile, mergeContributions, type Sourced } from "./merge/merge.ts"
export { type Resolution, resolveProfile, type UnknownSizePolicy } from "./merge/resolve.ts"
export type { SizeOption } from "./merge/sizes.ts"
export type { GpuMode } from "./merge/gpu.ts"

// Apply (SPEC 5–6).
export { applyToPod, type PodOptions } from "./apply/pod.ts"
export { defaultMountPath } from "./apply/volumes.ts"
export {
  appliedProfilesAnnotation,
  gpuTypeAnnotation,
  groupsAnnotation,
  serviceOwnerUserAnnotation,
  sizeAnnotation,
  userLabel,
  usernameAnnotation
} from "./kube/annotations.ts"

// Explain.
export { type ExplainLine, explainResolution } from "./explain/explain.ts"
export { resolutionView } from "./explain/view.ts"

// Images (SPEC 8).
export { defaultImage, type ImageCatalogView, type ImageOption, imageOptions, notebookImageLabel } from "./images/images.ts"

// The spawner's options form (SPEC 9).
export { escapeHtml } from "./form/html.ts"
export { defaultSizeValue, noImageValue, optionsForm, type OptionsFormInput } from "./form/options-form.ts"

// Users' own settings (SPEC 1).
export { readUserSettings, type UserSettings, userSettingsProfileName } from "./user-settings/read.ts"
export { renderUserSettings, UserSettingsUpdate } from "./user-settings/write.ts"

// Services (SPEC 7).
export { serviceContributionName, type ServiceReturn, withServiceReturns } from "./services/returns.ts"
export { managedByLabel, type PlannedObject, serviceOwnerName, serviceOwnerObject } from "./services/plan.ts"
export { ServiceTemplateError } from "./services/template-error.ts"

// Ports: what adapters implement.
export {
  ConfigSource,
  type DocumentStatus,
  ImageCatalog,
  type ImageStream,
  type KubeObject,
  type LoadedConfiguration,
  type OwnerReference,
  type RestartCause,
  ServiceGateway,
  type SourceInventory,
  type SourceStatus,
  type StoredUserSettings,
  UserSettingsStore
} from "./ports.ts"

// Use cases: the Effect entry points every driver (CLI, server) calls.
export { loadConfiguration, loadUserSettings, sourceStatus, type UserSettingsRead } from "./use-cases/configuration.ts"
export { applySpawn, resolveSpawn, type ServicesStep, type SpawnOptions } from "./use-cases/spawn.ts"
export { listImages, listSizes } from "./use-cases/catalog.ts"
export { optionsFormFor } from "./use-cases/options-form.ts"
export { getUserSettings, writeUserSettings } from "./use-cases/user-settings.ts"
export { validateSource, type ValidationReport } from "./use-cases/validate.ts"
export { planServices, type ServicesResult, servicesDown, servicesUp } from "./use-cases/services.ts"

// Errors and warnings.
export {
  InvalidConfiguration,
  InvalidDocument,
  MissingInput,
  type Problem,
  RequestAboveLimit,
  SourceUnavailable,
  type UnavailableReason,
  UnknownSize,
  VolumeConflict
} from "./errors/errors.ts"
export { type JspError, type Outcome, outcomeOf } from "./errors/outcome.ts"
export { formatWarning, type Warning, warning } from "./errors/warning.ts"

// Kubernetes values: quantities, names.
export { parseQuantity, quantityToInteger } from "./kube/quantity.ts"
export {
  isDnsLabel,
  isValidLabelValue,
  toDnsLabel,
  toLabelValue,
  userSecretName,
  userSettingsConfigMapName,
  userSettingsOwner
} from "./kube/names.ts"
export { isJsonObject, type Json, type JsonObject } from "./internal/json.ts"
