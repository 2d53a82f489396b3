import type { DeadLetter, IngestedEvent } from '../../domain/event.ts';
import { feedIdOf, type FeedWrite } from '../../domain/feed.ts';
import type { IngestedItemUpdate } from '../../domain/item-update.ts';
import { redactUserIds, type Pseudonymizer } from '../../domain/pseudonym.ts';

const asIs: Pseudonymizer = (id) => id;

/** Row shapes of the tables in schemas/clickhouse (JSONEachRow; optional strings become ''). */
/** Row shapes take the pseudonymizer that replaces user ids (identity only where no user id is stored). */
export function eventRow(ingested: IngestedEvent, variant = '', pseudonym: Pseudonymizer = asIs): Record<string, string | number | null> {
  const e = ingested.event;
  return {
    event_id: e.event_id,
    type: e.type,
    ts: e.ts,
    session_id: e.session_id,
    user_id: e.user_id === undefined ? '' : pseudonym(e.user_id),
    item_id: e.item_id ?? '',
    query: e.query ?? '',
    category_id: e.category_id ?? '',
    price: e.price ?? null,
    quantity: e.quantity ?? null,
    rating: e.rating ?? null,
    recommendation_id: e.recommendation_id ?? '',
    device: e.device ?? '',
    tenant: e.tenant ?? '',
    late: ingested.late ? 1 : 0,
    bot: ingested.bot === undefined ? 0 : 1,
    kafka_partition: ingested.origin.partition,
    kafka_offset: ingested.origin.offset,
    ingested_ms: ingested.receivedAt,
    variant,
  };
}

export function recommendationRow(write: FeedWrite, pseudonym: Pseudonymizer = asIs): Record<string, string | number | readonly (string | number)[]> {
  const { feed } = write;
  const owner = write.owner.kind === 'user' ? { ...write.owner, id: pseudonym(write.owner.id) } : write.owner;
  return {
    recommendation_id: feed.recommendation_id,
    feed_id: feedIdOf(owner),
    owner_kind: owner.kind,
    owner_id: owner.id,
    items: feed.items.map((item) => item.item_id),
    scores: feed.items.map((item) => item.score),
    sources: feed.items.map((item) => item.source),
    reasons: feed.items.map((item) => item.reason?.type ?? ''),
    model_version: feed.model_version,
    variant: feed.variant,
    event_ts: feed.event_ts,
    generated_ms: feed.generated_at,
    ingested_ms: write.ingestedAt,
  };
}

/** `keyIsUser`: the record's key is a user id (commands are keyed by user). */
export function deadLetterRow(letter: DeadLetter, pseudonym: Pseudonymizer = asIs, keyIsUser = false): Record<string, string | number> {
  return {
    topic: letter.origin.topic,
    kafka_partition: letter.origin.partition,
    kafka_offset: letter.origin.offset,
    reason: letter.reason,
    message: letter.message,
    payload: redactUserIds(letter.payload, pseudonym),
    payload_bytes: letter.payloadBytes,
    record_key: letter.key === null ? '' : keyIsUser ? pseudonym(letter.key) : letter.key,
    received_ms: letter.receivedAt,
  };
}

export function itemRow(ingested: IngestedItemUpdate): Record<string, string | number | null> {
  const { update, origin } = ingested;
  return {
    item_id: update.item_id,
    ts: update.ts,
    category_id: update.category_id ?? '',
    brand: update.brand ?? '',
    price: update.price ?? null,
    stock: update.stock ?? null,
    text: update.text ?? '',
    vector_dims: update.vector?.length ?? 0,
    kafka_partition: origin.partition,
    kafka_offset: origin.offset,
    ingested_ms: ingested.receivedAt,
  };
}
