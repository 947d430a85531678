/** The media types a Helm chart in an OCI registry is made of. */
export const ociMediaTypes = {
  /** An OCI image manifest: what helm pushes. */
  ociManifest: "application/vnd.oci.image.manifest.v1+json",
  /** Docker's v2 manifest, which some registries convert to. */
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  ociIndex: "application/vnd.oci.image.index.v1+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  /** The config blob of a Helm chart: Chart.yaml as JSON. */
  helmConfig: "application/vnd.cncf.helm.config.v1+json",
  /** The chart archive layer. */
  helmChartContent: "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
  /** The chart archive layer as Helm 3.0-3.7 era tools pushed it. */
  legacyChartContent: "application/tar+gzip",
  helmProvenance: "application/vnd.cncf.helm.chart.provenance.v1.prov",
} as const;

/** The Accept header of a manifest request. docker-registry 2.8 answers 404 unless the OCI type is listed. */
export const manifestAccept = `${ociMediaTypes.ociManifest}, ${ociMediaTypes.dockerManifest}`;
