export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Writes messages to a topic; resolves when the log acknowledged all of them. */
export interface EventPublisher {
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}
