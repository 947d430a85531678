import type { ReceiverKind } from "@charthouse/catalog";

/** What to paste into a sender's configuration, and in which form. */
export interface ReceiverSnippet {
  format: "yaml" | "json" | "shell" | "text";
  content: string;
}

/** Stands for the secret where it is no longer shown (every answer but the 201). */
export const secretPlaceholder = "<secret shown once at creation>";

/**
 * The snippet that points a sender at a receiver: docker-registry's `notifications` endpoint
 * (with the bearer header and an `ignore` list for pulls and blob uploads), zot's events sink,
 * the `az acr webhook create` command, and the fields of Harbor's, GitHub's and Docker Hub's forms.
 */
export function receiverSnippet(kind: ReceiverKind, target: { name: string; url: string; secret: string | undefined }): ReceiverSnippet {
  const secret = target.secret ?? secretPlaceholder;
  const { url } = target;
  switch (kind) {
    case "distribution":
      return {
        format: "yaml",
        content: [
          "# docker-registry config.yml: send manifest pushes to Charthouse",
          "notifications:",
          "  endpoints:",
          `    - name: charthouse-${target.name}`,
          `      url: ${url}`,
          "      headers:",
          `        Authorization: [Bearer ${secret}]`,
          "      timeout: 5s",
          "      threshold: 5",
          "      backoff: 10s",
          "      ignore:",
          "        mediatypes:",
          "          - application/octet-stream",
          "        actions:",
          "          - pull",
          "",
        ].join("\n"),
      };
    case "cloudevents":
      return {
        format: "json",
        content: `${JSON.stringify(
          { extensions: { events: { enable: true, sinks: [{ type: "http", address: url, timeout: "5s", credentials: { token: secret } }] } } },
          null,
          2,
        )}\n`,
      };
    case "acr":
      return {
        format: "shell",
        content:
          `az acr webhook create --registry REGISTRY --name charthouse${target.name.replace(/[^A-Za-z0-9]/g, "")} ` +
          `--actions push chart_push --uri '${url}' --headers 'Authorization=Bearer ${secret}'\n`,
      };
    case "harbor":
      return {
        format: "text",
        content: `Harbor project > Webhooks > New webhook\nNotify type: http\nPayload format: Default\nEvent type: Artifact pushed\nEndpoint URL: ${url}\nAuth header: Bearer ${secret}\n`,
      };
    case "github":
      return {
        format: "text",
        content: `GitHub settings > Webhooks > Add webhook\nPayload URL: ${url}\nContent type: application/json\nSecret: ${secret}\nEvents: Registry packages (and Packages)\n`,
      };
    case "dockerhub":
      return { format: "text", content: `Docker Hub repository > Webhooks\nWebhook URL: ${url}/${secret}\n` };
    case "generic":
      return {
        format: "shell",
        content: `curl -X POST -H 'Authorization: Bearer ${secret}' -H 'Content-Type: application/json' -d '{"repository":"NAMESPACE/CHART"}' '${url}'\n`,
      };
  }
}
