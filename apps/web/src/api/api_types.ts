/**
 * The shapes of the REST API (shared/docs/api.md) under the names the UI uses: one definition,
 * in libs/api-types, shared with registry-api, so the two cannot drift apart.
 */
import type * as Api from "@charthouse/api-types";

export type StoredError = Api.StoredErrorJson;
export type Page<T> = Api.PageJson<T>;
export type RegistryState = Api.RegistryStateJson;
export type Registry = Api.RegistryJson;
export type Credential = Api.CredentialJson;
export type Chart = Api.ChartJson;
export type VersionState = Api.ChartVersionStateJson;
export type ChartVersion = Api.ChartVersionJson;
export type ChartVersionDetail = Api.ChartVersionDetailJson;
export type VersionComparison = Api.VersionComparisonJson;
export type ChartDependency = Api.ChartDependencyJson;
export type ValuesCheck = Api.ValuesCheckJson;

/** The kinds of credential, each with its own form (see credential_kinds.ts). */
export type CredentialKind = "basic" | "token" | "gcp_service_account" | "aws" | "azure_service_principal";
export type Subscription = Api.SubscriptionJson;
export type CreatedSubscription = Api.CreatedSubscriptionJson;
export type WebhookDelivery = Api.WebhookDeliveryJson;
export type WebhookEventType = Api.WebhookEventTypeJson;
export type Receiver = Api.ReceiverJson;
export type ReceiverKind = Api.ReceiverJson["kind"];
