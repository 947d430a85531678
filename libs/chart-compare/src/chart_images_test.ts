import { describe, expect, it } from "vitest";
import { chartImages } from "./chart_images.ts";
import { parseValuesYaml } from "./parse_values_yaml.ts";
import { chartValuesLimits } from "./values_limits.ts";

const values = (text: string): Record<string, unknown> => parseValuesYaml(text, "values.yaml", chartValuesLimits);

describe("chartImages()", () => {
  it("lists images from repository/tag maps, registry and digest included, and from image strings", () => {
    const found = chartImages(
      {},
      values(`
image: { repository: nginx, tag: "1.27" }
redis:
  image: { registry: docker.io, repository: bitnami/redis, tag: 7.2.4, digest: "sha256:${"a".repeat(64)}" }
sidecar:
  initImage: busybox:1.36
  containers:
    - name: proxy
      image: ghcr.io/org/proxy:v2
metrics:
  exporter: { repository: quay.io/prometheus/exporter, tag: 1.0 }
`),
    );
    expect(found).toEqual([
      "busybox:1.36",
      `docker.io/bitnami/redis:7.2.4@sha256:${"a".repeat(64)}`,
      "ghcr.io/org/proxy:v2",
      "nginx:1.27",
      "quay.io/prometheus/exporter:1",
    ]);
  });

  it("adds the annotation's images and lists each image once", () => {
    const annotations = { "artifacthub.io/images": "- name: app\n  image: nginx:1.27\n- name: db\n  image: postgres:16\n" };
    expect(chartImages(annotations, values("image: { repository: nginx, tag: '1.27' }\n"))).toEqual(["nginx:1.27", "postgres:16"]);
  });

  it("fills an empty tag with the appVersion, as helm create charts do, and leaves it off otherwise", () => {
    const text = "image: { repository: nginx, tag: '', pullPolicy: IfNotPresent }\n";
    expect(chartImages({}, values(text), { appVersion: "1.16.0" })).toEqual(["nginx:1.16.0"]);
    expect(chartImages({}, values(text))).toEqual(["nginx"]);
  });

  it("ignores what is not an image: git repositories, templates, other keys' strings, a malformed annotation", () => {
    const found = chartImages(
      { "artifacthub.io/images": "image: [not, a, list" },
      values(`
source: { repository: "https://github.com/org/repo", tag: main }
image: "{{ .Values.global.image }}"
name: nginx:1.27
helm: { repository: stable }
`),
    );
    expect(found).toEqual([]);
  });
});
