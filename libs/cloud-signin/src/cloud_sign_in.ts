import type { CloudCredential, CloudSignIn, RegistryLogin } from "@charthouse/credentials";
import type { CloudSignInOptions } from "./cloud_sign_in_options.ts";

/**
 * The sign-in of every cloud kind with the provider's own library: `aws` at Amazon ECR,
 * `gcp_service_account` at Google, `azure_service_principal` at Microsoft Entra ID and then the
 * registry's ACR exchange. Not cached: wrap it in cachedCloudSignIn.
 */
export function createCloudSignIn(options: CloudSignInOptions): CloudSignIn {
  return async (credential: CloudCredential, registryUrl: string): Promise<RegistryLogin> => {
    // Each provider module (and its SDK) is loaded when its kind is first used.
    switch (credential.kind) {
      case "aws":
        return await (await import("./ecr_sign_in.ts")).signInToEcr(credential, registryUrl, options);
      case "gcp_service_account":
        return await (await import("./google_sign_in.ts")).signInToGoogle(credential, registryUrl, options);
      case "azure_service_principal":
        return await (await import("./acr_sign_in.ts")).signInToAcr(credential, registryUrl, options);
    }
  };
}
