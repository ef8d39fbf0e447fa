import { DataPathGate } from '../infra/data-path-gate';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { Catalog } from '../catalog/catalog';
import type { AppConfig } from '../config/config';
import { Keyring } from '../crypto/envelope';
import { parseMasterKeys } from '../crypto/master-keys';
import type { RedisPubSub } from '../infra/pubsub';
import type { Logger } from '../infra/logger';
import type { Metrics } from '../infra/metrics';
import type { UsageRecordInput } from '../modules/usage/usage-record';
import { UsageRecorder } from '../modules/usage/usage-recorder';
import type { InflightJournal } from '../modules/usage/inflight-journal';
import { UsageService } from '../modules/usage/usage.service';
import { UsageLive } from '../modules/usage/usage-live';
import { KeyStatusLive } from '../modules/validation/key-status-live';
import { ChatService } from '../modules/chat/chat.service';
import { TokenCountService } from '../modules/chat/token-count.service';
import { UpstreamOpener } from '../modules/chat/upstream-opener';
import { StreamSlots } from '../modules/chat/stream-slots';
import { Router } from '../modules/routing/router';
import { OwnerKeys } from '../modules/routing/owner-keys';
import { RoutableModels } from '../modules/routing/routable-models';
import type { KeyChanges } from '../modules/byok-keys/key-changes';
import type { ValidationJobData } from '../jobs/queues';
import { TokenCache } from '../auth/token-cache';
import { TokenRevocations } from '../auth/token-revocations';
import { ApiTokensService } from '../modules/api-tokens/api-tokens.service';
import { AuditService } from '../modules/audit/audit.service';
import { ByokKeysService } from '../modules/byok-keys/byok-keys.service';
import { OrganizationsService } from '../modules/organizations/organizations.service';
import { UsersService } from '../modules/users/users.service';
import { KeyStatusService } from '../modules/validation/key-status.service';
import { ValidationService } from '../modules/validation/validation.service';

/**
 * The service layer, built once per process (the composition root): resolvers get it through the
 * GraphQL context, the queue workers directly. It lives outside src/server so a ROLE=worker
 * process does not depend on the HTTP server's folder.
 */
export interface Services {
  config: AppConfig;
  db: DataSource;
  catalog: Catalog;
  keyring: Keyring;
  pubsub: RedisPubSub;
  users: UsersService;
  apiTokens: ApiTokensService;
  /** Token revocations heard from every instance (sockets of a revoked token are closed). */
  tokenRevocations: TokenRevocations;
  organizations: OrganizationsService;
  audit: AuditService;
  byokKeys: ByokKeysService;
  keyStatus: KeyStatusService;
  validation: ValidationService;
  usageRecorder: UsageRecorder;
  usage: UsageService;
  /** Live feeds' fan-out: scope checks in memory, shared reads per event. */
  usageLive: UsageLive;
  keyStatusLive: KeyStatusLive;
  chat: ChatService;
  streamSlots: StreamSlots;
  /** The models a caller can route now (REST model lists). */
  routableModels: RoutableModels;
  tokenCount: TokenCountService;
  /** The in-flight usage journal (serving roles only). */
  journal?: InflightJournal;
  metrics: Metrics;
  logger: Logger;
}

export function createServices(deps: {
  config: AppConfig;
  db: DataSource;
  /**
   * The pool of the data path's reads (token checks, routing's membership checks and key loads),
   * bounded by DB_DATA_PATH_TIMEOUT (infra/database.ts); `db` when not given.
   */
  dataPathDb?: DataSource;
  /** The command connection (stream limits). */
  redis: Redis;
  logger: Logger;
  catalog: Catalog;
  pubsub: RedisPubSub;
  validationQueue: Queue<ValidationJobData>;
  usageQueue: Queue<UsageRecordInput>;
  metrics: Metrics;
  keyChanges: KeyChanges;
  /** Whether key changes are being heard (the Postgres LISTEN connection is up). */
  keysTrusted: () => boolean;
  /** The in-flight usage journal (serving roles only). */
  journal?: InflightJournal;
}): Services {
  const { config, db, logger, catalog, pubsub, metrics, keyChanges } = deps;
  const dataPathDb = deps.dataPathDb ?? db;
  const tokenRevocations = new TokenRevocations(pubsub, logger);
  const tokenCache = new TokenCache(config.authCacheTtlMs, undefined, undefined, config.outageStaleMaxMs);
  const keyring = new Keyring(parseMasterKeys(config.encryptionKeys));
  // One gate for the data path's reads: once one finds Postgres unreachable, the others fail fast too.
  const dataPathGate = new DataPathGate();
  const organizations = new OrganizationsService(db, config.outageStaleMaxMs, dataPathDb, dataPathGate);
  const audit = new AuditService(db, organizations);
  const byokKeys = new ByokKeysService(db, keyring, organizations, audit, logger, keyChanges);
  const validation = new ValidationService(db, deps.validationQueue, byokKeys);
  byokKeys.onSecretChanged(validation);
  const keyStatus = new KeyStatusService(db, audit, pubsub, logger, keyChanges);
  const usageRecorder = new UsageRecorder(db, deps.usageQueue, pubsub, metrics, logger);
  const streamSlots = new StreamSlots({ redis: deps.redis, prefix: config.queuePrefix, limits: config.streamsPer, logger });
  const ownerKeys = new OwnerKeys(dataPathDb, keyChanges, deps.keysTrusted, config.outageStaleMaxMs, undefined, dataPathGate);
  const router = new Router(ownerKeys, catalog, organizations, config);
  const chat = new ChatService({
    router,
    opener: new UpstreamOpener({ config, db, keyring, keyStatus, validation, logger }),
    usageRecorder,
    metrics,
    logger,
    timeouts: { firstByteTimeoutMs: config.upstream.firstByteTimeoutMs, idleTimeoutMs: config.upstream.idleTimeoutMs },
    maxConcurrentStreams: config.maxConcurrentStreams,
    // Text and image data of one completion stay within the request limit every transport enforces.
    limits: { maxRequestChars: config.maxRequestBytes },
    streamSlots,
    journal: deps.journal,
  });
  return {
    config,
    db,
    catalog,
    keyring,
    pubsub,
    users: new UsersService(db),
    apiTokens: new ApiTokensService(db, logger, config.adminToken, { cache: tokenCache, revocations: tokenRevocations }, dataPathDb, dataPathGate),
    tokenRevocations,
    organizations,
    audit,
    byokKeys,
    keyStatus,
    validation,
    usageRecorder,
    usage: new UsageService(db, organizations),
    usageLive: new UsageLive(db),
    keyStatusLive: new KeyStatusLive(db),
    chat,
    streamSlots,
    routableModels: new RoutableModels(ownerKeys, catalog, organizations, config),
    tokenCount: new TokenCountService({ router, config, keyring, logger }),
    journal: deps.journal,
    metrics,
    logger,
  };
}
