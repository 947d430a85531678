import { describe, expect, it } from "vitest";
import { helmRepoAddCommand } from "./helm_repo_add.ts";

describe("helmRepoAddCommand()", () => {
  it("points helm at the registry's repository on this origin, the token as a variable", () => {
    expect(helmRepoAddCommand("argo", "https://charthouse.example/")).toBe(
      'helm repo add argo https://charthouse.example/helm/argo --username charthouse --password "$CHARTHOUSE_TOKEN"',
    );
  });

  it("escapes the registry's name in the URL and makes a repository name helm accepts", () => {
    expect(helmRepoAddCommand("Team Charts", "http://localhost:8080")).toBe(
      'helm repo add team-charts http://localhost:8080/helm/Team%20Charts --username charthouse --password "$CHARTHOUSE_TOKEN"',
    );
  });
});
