import type { ReceiverKind } from "../api/api_types.ts";

/** Each sender a receiver takes events from: its label and how it proves itself. */
export const receiverKinds: readonly { kind: ReceiverKind; label: string; proof: string }[] = [
  { kind: "distribution", label: "docker-registry (distribution)", proof: "its notifications endpoint sends Authorization: Bearer <secret>" },
  { kind: "harbor", label: "Harbor", proof: "the webhook's Auth header is Bearer <secret>" },
  { kind: "dockerhub", label: "Docker Hub", proof: "the secret is the last segment of the webhook URL" },
  { kind: "github", label: "GitHub Packages", proof: "the webhook secret signs each event (X-Hub-Signature-256)" },
  { kind: "acr", label: "Azure Container Registry", proof: "the webhook header Authorization: Bearer <secret>" },
  { kind: "cloudevents", label: "CloudEvents (zot)", proof: "the sink's token, sent as Authorization: Bearer <secret>" },
  { kind: "generic", label: "Generic (curl, CI)", proof: "Authorization: Bearer <secret>" },
];

/** The label of a receiver kind (the kind itself for one this UI does not know). */
export function receiverKindLabel(kind: string): string {
  return receiverKinds.find((k) => k.kind === kind)?.label ?? kind;
}
