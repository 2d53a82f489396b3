/** The validated, frozen engine configuration. Shape mirrors schemas/config/engine.v1.schema.json. */
export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly groupId: string;
  readonly eventsTopic: string;
  readonly itemUpdatesTopic: string;
  readonly commandsTopic: string;
  readonly rulesTopic: string;
  readonly deltasTopic: string;
  readonly deltaRetentionMs: number;
  readonly deadLetterTopic: string;
  readonly partitions: number;
  readonly replicationFactor: number;
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs: number;
  readonly metadataMaxAgeMs: number;
  readonly stallTimeoutMs: number;
  readonly maxBytesPerPartition: number;
  readonly ssl: boolean;
  readonly saslMechanism: 'none' | 'plain' | 'scram-sha-256' | 'scram-sha-512';
  readonly saslUsername: string;
  readonly saslPassword: string;
}

export interface RedisConfig {
  readonly url: string;
  readonly clusterNodes: string;
  readonly writeMaxKeys: number;
  readonly keyPrefix: string;
  readonly feedTtlSeconds: number;
  readonly intentTtlSeconds: number;
  readonly featureTtlSeconds: number;
}

export interface ClickHouseConfig {
  readonly url: string;
  readonly database: string;
  readonly username: string;
  readonly password: string;
  readonly batchMaxRows: number;
  readonly batchMaxWaitMs: number;
  readonly requestTimeoutMs: number;
  /** '' for one server; else a cluster of remote_servers over `nodes`. */
  readonly cluster: string;
  /** HTTP URLs of every node of `cluster`, comma-separated. */
  readonly nodes: string;
}

export interface EngineConfig {
  readonly maxMessageBytes: number;
  readonly maxInFlightEvents: number;
  readonly deadLetterPayloadBytes: number;
  readonly sinkRetries: number;
  readonly shutdownTimeoutMs: number;
  readonly variant: string;
  /** Empty: host:pid. */
  readonly instance: string;
  readonly statsFlushMs: number;
  /** Empty: no checkpoints. */
  readonly checkpointDir: string;
  readonly checkpointIntervalMs: number;
}

export interface SessionsConfig {
  readonly lastItems: number;
  readonly maxEventsPerSession: number;
  readonly inactivityMs: number;
  readonly allowedLatenessMs: number;
  readonly maxSessionsPerPartition: number;
  readonly botMaxEventsPerMinute: number;
  readonly botMaxRepeatsPerItem: number;
}

export interface CandidatesConfig {
  readonly feedSize: number;
  readonly covisitNeighbours: number;
  readonly covisitWindow: number;
  readonly covisitHalfLifeMs: number;
  readonly covisitMaxItems: number;
  readonly trendingHalfLifeMs: number;
  readonly trendingMaxItems: number;
  readonly trendingTopK: number;
  readonly purchasedHideMs: number;
  readonly maxUsers: number;
  readonly profiles: boolean;
  readonly profileHalfLifeMs: number;
  readonly crossSell: boolean;
  readonly rulesFile: string;
  readonly trendingHoldMs: number;
  readonly cfDim: number;
  readonly cfLearningRate: number;
  readonly cfFactorLearningRate: number;
  readonly cfRegularization: number;
  readonly cfMaxUsers: number;
  readonly cfMaxItems: number;
  readonly cfImplicitRatings: boolean;
  readonly knnNeighbours: number;
  readonly knnCandidates: number;
  readonly knnMaxSessions: number;
  readonly poolPerSource: number;
  readonly modelCandidates: number;
  readonly popularityHalfLifeMs: number;
  readonly excludeCurrentItem: boolean;
  readonly rankerLearningRate: number;
  readonly rankerSampleRate: number;
  readonly rankerLoss: 'listwise' | 'top-k';
  readonly rankerTopK: number;
  readonly rankerFirstPlaceWeight: number;
  readonly rankerImpressionNegatives: boolean;
  readonly purchaseWeight: number;
  readonly rankerHiddenUnits: number;
  readonly rankerSeed: number;
  readonly rankerCrosses: boolean;
  readonly queryIntent: boolean;
  readonly queryMaxKeys: number;
  readonly queryItemsPerKey: number;
  readonly queryHalfLifeMs: number;
  readonly dayparts: number;
  readonly utcOffsetMinutes: number;
  readonly exploreShare: number;
  readonly newItemWindowMs: number;
  readonly newItemInteractions: number;
  readonly catalogueMaxItems: number;
  readonly catalogueVectorDims: number;
  readonly catalogueAttributeDims: number;
}

export interface ModelConfig {
  readonly enabled: boolean;
  readonly backend: 'auto' | 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'cpu';
  readonly maxItems: number;
  readonly dim: number;
  readonly learningRate: number;
  readonly negatives: number;
  readonly batchSize: number;
  readonly snapshotDir: string;
  readonly snapshotIntervalMs: number;
  readonly worker: boolean;
}

export interface MetricsConfig {
  readonly port: number;
  readonly host: string;
}

export interface LogConfig {
  readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
}

export interface ReasonsConfig {
  readonly enabled: boolean;
  readonly boughtTogetherMinSessions: number;
  readonly coPurchaseMaxItems: number;
  readonly coPurchaseMaxPartners: number;
  readonly coPurchaseMaxSessions: number;
}

export interface ExperimentConfig {
  /** `name:ranker:weight` entries; empty = one arm, `engine.variant`. */
  readonly variants: readonly string[];
  readonly assignBy: 'user' | 'session';
  readonly salt: string;
}

export interface PrivacyConfig {
  /** Empty: drawn once and kept in Redis. */
  readonly pseudonymKey: string;
  /** 0: rows are kept. */
  readonly retentionDays: number;
  readonly retentionIntervalMs: number;
}

export interface ApiConfig {
  readonly port: number;
  readonly host: string;
  readonly keys: readonly string[];
  readonly publicKey: string;
  readonly rateLimitPerMinute: number;
  readonly corsOrigins: readonly string[];
  readonly defaultN: number;
  readonly readTimeoutMs: number;
  readonly maxBatchEvents: number;
  readonly publicDir: string;
  readonly metricsUrl: string;
  readonly demoDataDir: string;
}

export interface Config {
  readonly kafka: KafkaConfig;
  readonly redis: RedisConfig;
  readonly clickhouse: ClickHouseConfig;
  readonly engine: EngineConfig;
  readonly sessions: SessionsConfig;
  readonly candidates: CandidatesConfig;
  readonly model: ModelConfig;
  readonly metrics: MetricsConfig;
  readonly log: LogConfig;
  readonly reasons: ReasonsConfig;
  readonly experiment: ExperimentConfig;
  readonly privacy: PrivacyConfig;
  readonly api: ApiConfig;
}
