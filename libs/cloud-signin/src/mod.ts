/**
 * Cloud sign-in: exchanges the cloud credential kinds for short-lived registry logins with each
 * provider's own library (AWS SDK for ECR, google-auth-library, @azure/identity for ACR), and
 * caches them per credential and registry host until shortly before they expire.
 */
export { createCloudSignIn } from "./cloud_sign_in.ts";
export type { CloudSignInOptions } from "./cloud_sign_in_options.ts";
export { cachedCloudSignIn, type CachedCloudSignIn, type CachedCloudSignInOptions } from "./cached_cloud_sign_in.ts";
export { ecrRegionOf } from "./ecr_region.ts";
export { googleCloudPlatformScope } from "./google_sign_in.ts";
export { azureResourceManagerScope } from "./acr_sign_in.ts";
