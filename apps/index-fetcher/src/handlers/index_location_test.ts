import { describe, expect, it } from "vitest";
import { indexUrlOf } from "./index_location.ts";

describe("indexUrlOf()", () => {
  it.each([
    ["https://charts.example.com", "https://charts.example.com/index.yaml"],
    ["https://harbor.example.com/chartrepo/library", "https://harbor.example.com/chartrepo/library/index.yaml"],
    ["https://nexus.example.com/repository/helm-hosted/", "https://nexus.example.com/repository/helm-hosted/index.yaml"],
    ["https://a.example.com/artifactory/helm-local", "https://a.example.com/artifactory/helm-local/index.yaml"],
    ["https://bucket.s3.amazonaws.com/charts", "https://bucket.s3.amazonaws.com/charts/index.yaml"],
    ["https://org.github.io/repo/index.yaml", "https://org.github.io/repo/index.yaml"],
  ])("finds the index of %s", (repository, expected) => {
    expect(indexUrlOf(repository).toString()).toBe(expected);
  });
});
