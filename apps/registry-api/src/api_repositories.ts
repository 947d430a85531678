import {
  ApiTokenRepository,
  ChartCatalogReads,
  ChartVersionRepository,
  CredentialRepository,
  DeadLetterTargetReads,
  DomainGaugeReads,
  HelmIndexRepository,
  OrganizationRepository,
  ReceiverRepository,
  RegistryRepository,
  SubscriptionRepository,
  SyncRunReads,
  SyncRunRepository,
  VersionMetadataReads,
  WebhookDeliveryRepository,
  type SqlClient,
} from "@charthouse/db";

/** Every repository the API reads and writes through, over one SqlClient. */
export interface ApiRepositories {
  organizations: OrganizationRepository;
  tokens: ApiTokenRepository;
  credentials: CredentialRepository;
  registries: RegistryRepository;
  catalog: ChartCatalogReads;
  syncRuns: SyncRunRepository;
  syncRunReads: SyncRunReads;
  chartVersions: ChartVersionRepository;
  deadLetterTargets: DeadLetterTargetReads;
  gauges: DomainGaugeReads;
  versionMetadata: VersionMetadataReads;
  helmIndexes: HelmIndexRepository;
  subscriptions: SubscriptionRepository;
  webhookDeliveries: WebhookDeliveryRepository;
  receivers: ReceiverRepository;
}

/** The API's repositories over one SqlClient (made once in main.ts, or once per test environment). */
export function createApiRepositories(sql: SqlClient): ApiRepositories {
  return {
    organizations: new OrganizationRepository(sql),
    tokens: new ApiTokenRepository(sql),
    credentials: new CredentialRepository(sql),
    registries: new RegistryRepository(sql),
    catalog: new ChartCatalogReads(sql),
    syncRuns: new SyncRunRepository(sql),
    syncRunReads: new SyncRunReads(sql),
    chartVersions: new ChartVersionRepository(sql),
    deadLetterTargets: new DeadLetterTargetReads(sql),
    gauges: new DomainGaugeReads(sql),
    versionMetadata: new VersionMetadataReads(sql),
    helmIndexes: new HelmIndexRepository(sql),
    subscriptions: new SubscriptionRepository(sql),
    webhookDeliveries: new WebhookDeliveryRepository(sql),
    receivers: new ReceiverRepository(sql),
  };
}
