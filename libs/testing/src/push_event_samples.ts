/**
 * Registries' push events as their senders document them, for tests of the receivers. Each is
 * the documented sample with only names changed where a test needs them to point at its own
 * registry (the `repository` argument); the shape is the sender's.
 */

/**
 * docker-registry (CNCF distribution 2.8) notifications envelope, media type
 * `application/vnd.docker.distribution.events.v1+json`. Source: distribution's
 * docs/notifications.md ("Events" and "Envelope"), a manifest push of a tag.
 */
export function distributionManifestPush(repository: string, tag: string): unknown {
  return {
    events: [
      {
        id: "320678d8-ca14-430f-8bb6-4ca139cd83f7",
        timestamp: "2016-03-09T14:44:26.402973972-08:00",
        action: "push",
        target: {
          mediaType: "application/vnd.oci.image.manifest.v1+json",
          size: 708,
          digest: "sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf",
          length: 708,
          repository,
          url: `http://192.168.100.227:5000/v2/${repository}/manifests/sha256:fea8895f450959fa676bcc1df0611ea93823a735a01205fd8622846041d0c7cf`,
          tag,
        },
        request: { id: "6df24a34-0959-4923-81ca-14f09767db19", addr: "192.168.64.11:42961", host: "192.168.100.227:5000", method: "PUT", useragent: "Helm/3.14.0" },
        actor: {},
        source: { addr: "xtal.local:5000", instanceID: "a53db899-3b4b-4a62-a067-8dd013beaca4" },
      },
    ],
  };
}

/** The same envelope for a blob push (a layer), which distribution sends unless ignored. Source: as above. */
export function distributionBlobPush(repository: string): unknown {
  return {
    events: [
      {
        id: "asdf-asdf-asdf-asdf-1",
        timestamp: "2006-01-02T15:04:05Z",
        action: "push",
        target: {
          mediaType: "application/octet-stream",
          size: 2,
          digest: "sha256:3b3692957d439ac1928219a83fac91e7bf96c153725526874673ae1f2023f8d5",
          length: 2,
          repository,
          url: `http://example.com/v2/${repository}/blobs/sha256:3b3692957d439ac1928219a83fac91e7bf96c153725526874673ae1f2023f8d5`,
        },
        request: { id: "asdfasdf", addr: "client.local", host: "registrycluster.local", method: "PUT", useragent: "test/0.1" },
        actor: { name: "test-actor" },
        source: { addr: "hostname.local:port" },
      },
    ],
  };
}

/** A pull of a manifest, as distribution sends it. Source: as above. */
export function distributionManifestPull(repository: string, tag: string): unknown {
  const event = (distributionManifestPush(repository, tag) as { events: Record<string, unknown>[] }).events[0]!;
  return { events: [{ ...event, action: "pull", request: { ...(event["request"] as object), method: "GET" } }] };
}

/**
 * Harbor's default webhook payload for PUSH_ARTIFACT. Source: goharbor.io/docs "Configure
 * Webhook Notifications", the JSON example of the default format.
 */
export function harborArtifactPush(namespace: string, name: string, tag: string): unknown {
  return {
    type: "PUSH_ARTIFACT",
    occur_at: 1680501893,
    operator: "harbor-jobservice",
    event_data: {
      resources: [
        {
          digest: "sha256:954b378c375d852eb3c63ab88978f640b4348b01c1b3456a024a81536dafbbf4",
          tag,
          resource_url: `harbor.dev/${namespace}/${name}:${tag}`,
        },
      ],
      repository: { date_created: 1680501893, name, namespace, repo_full_name: `${namespace}/${name}`, repo_type: "private" },
    },
  };
}

/**
 * Docker Hub's webhook payload. Source: docs.docker.com/docker-hub/repos/manage/webhooks
 * ("Example webhook payload").
 */
export function dockerHubPush(repoName: string, tag: string): unknown {
  const [namespace = "", name = ""] = repoName.split("/");
  return {
    callback_url: "https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/",
    push_data: { pushed_at: 1417566161, pusher: "trustedbuilder", tag },
    repository: {
      comment_count: 0,
      date_created: 1417494799,
      description: "",
      full_description: "Docker Hub based automated build from a GitHub repo",
      is_official: false,
      is_private: true,
      is_trusted: true,
      name,
      namespace,
      owner: namespace,
      repo_name: repoName,
      repo_url: `https://registry.hub.docker.com/u/${repoName}/`,
      star_count: 0,
      status: "Active",
    },
  };
}

/**
 * GitHub's `registry_package` webhook, action `published`, for a container (OCI) package on
 * ghcr.io. Source: docs.github.com "Webhook events and payloads" (registry_package) and the
 * `registry_package published event` schema of github/rest-api-description.
 */
export function githubRegistryPackagePublished(owner: string, name: string, tag: string): unknown {
  return {
    action: "published",
    registry_package: {
      id: 35087071,
      name,
      namespace: owner,
      description: "",
      ecosystem: "CONTAINER",
      package_type: "CONTAINER",
      html_url: `https://github.com/orgs/${owner}/packages/container/package/${name}`,
      created_at: "2022-01-19T21:34:02Z",
      updated_at: "2022-01-19T21:34:02Z",
      owner: { login: owner, id: 9919, type: "Organization" },
      package_version: {
        id: 147065213,
        version: "sha256:7d3a5e8d4b6d5eac2c1b29a2c0d0b0c7d5e7c8a8a8b6a3b2f4e1d0c9b8a7f6e5",
        name: "sha256:7d3a5e8d4b6d5eac2c1b29a2c0d0b0c7d5e7c8a8a8b6a3b2f4e1d0c9b8a7f6e5",
        description: "",
        summary: "",
        html_url: `https://github.com/orgs/${owner}/packages/container/${name}/147065213`,
        package_url: `ghcr.io/${owner}/${name}:${tag}`,
        installation_command: `docker pull ghcr.io/${owner}/${name}:${tag}`,
        metadata: [],
        package_files: [],
        container_metadata: {
          tag: { name: tag, digest: "sha256:7d3a5e8d4b6d5eac2c1b29a2c0d0b0c7d5e7c8a8a8b6a3b2f4e1d0c9b8a7f6e5" },
          labels: { description: "", source: "", revision: "", image_url: "", licenses: "", all_labels: {} },
          manifest: { digest: "sha256:7d3a5e8d4b6d5eac2c1b29a2c0d0b0c7d5e7c8a8a8b6a3b2f4e1d0c9b8a7f6e5", media_type: "application/vnd.oci.image.manifest.v1+json", uri: "", size: 1234, config: {}, layers: [] },
        },
      },
      registry: { about_url: "https://docs.github.com/packages", name: "GitHub CONTAINER registry", type: "CONTAINER", url: "https://ghcr.io", vendor: "GitHub Inc" },
    },
    repository: { id: 17273051, name: "charts", full_name: `${owner}/charts` },
    organization: { login: owner, id: 9919 },
    sender: { login: "octocat", id: 583231 },
  };
}

/**
 * Azure Container Registry's webhook for a Helm chart push (action `chart_push`). Source:
 * learn.microsoft.com "Azure Container Registry webhook reference", "Chart push event".
 */
export function acrChartPush(repository: string, name: string, version: string): unknown {
  return {
    id: "6356e9e0-627f-4fed-xxxx-d9059b5143ac",
    timestamp: "2019-03-05T23:45:31.2614267Z",
    action: "chart_push",
    target: {
      mediaType: "application/vnd.acr.helm.chart",
      size: 25265,
      digest: "sha256:xxxxd7ef4b3ac5c4a3b2b1a7cd2ba5ba1b6b9bd25d8a1f9c8d8d9a5b2e3f4a5b6",
      repository,
      tag: `${name}-${version}.tgz`,
      name,
      version: `${version}.tgz`,
    },
  };
}

/** ACR's webhook for an image (OCI manifest) push, action `push`. Source: as above, "Push event". */
export function acrPush(repository: string, tag: string): unknown {
  return {
    id: "cb8c3971-9adc-488b-xxxx-43cbb4974ff5",
    timestamp: "2017-11-17T16:52:01.343145347Z",
    action: "push",
    target: {
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      size: 524,
      digest: "sha256:xxxxd5c8786bb9e621a45ece0dbxxxx1cdc624ad20da9fe62e9d25490f33xxxx",
      length: 524,
      repository,
      tag,
    },
    request: { id: "3cbb6949-7549-4fa1-xxxx-a6d5451dffc7", host: "myregistry.azurecr.io", method: "PUT", useragent: "Helm/3.14.0" },
  };
}

/**
 * A structured-mode CloudEvents 1.0 event as zot's events extension emits it for a pushed
 * manifest (type `zotregistry.image.updated`, data with the repository `name` and `reference`).
 * Source: zotregistry.dev "Event Support for zot" and the CloudEvents 1.0 JSON format.
 */
export function cloudEventImageUpdated(repository: string, reference: string): unknown {
  return {
    specversion: "1.0",
    id: "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d",
    source: "https://registry.example.com",
    type: "zotregistry.image.updated",
    time: "2025-06-01T12:00:00Z",
    datacontenttype: "application/json",
    data: {
      name: repository,
      reference,
      digest: "sha256:0f7c2bfb8e3c7d6a5b4e3d2c1b0a9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b2a",
      mediaType: "application/vnd.oci.image.manifest.v1+json",
    },
  };
}
