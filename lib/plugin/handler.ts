// The plugin interface, CoreDNS's plugin.Handler in TypeScript: every Corefile directive that answers or changes
// answers is a Plugin with a serveDNS(request, next). A plugin answers (Reply), passes the request on (`next(req)`,
// CoreDNS's NextOrFailure), or wraps what the rest of the chain answered. The server in front (lib/wire/responder.ts)
// parses the query, applies faults, keeps the encoded-answer cache, and encodes what the chain returns.
import type { Answer } from '../dns/records.js';

export type Transport = 'udp' | 'tcp';

/** What a question is: its name (decoded on demand) and type. */
export interface QuestionRef {
  readonly name: string;
  readonly type: number;
  /** the name in wire form copied to target at `at`, its length returned; -1 when not available (see ParsedQuery) */
  copyName?(target: Buffer, at: number): number;
}

/**
 * One answered (or dropped) query, for metrics, the journal and the `log` plugin. The responder reuses one object:
 * a hook must copy what it keeps before returning. Keeping `question` itself keeps the whole request buffer alive
 * (up to 64 KB a query): copy its name out with copyName instead.
 */
export interface QueryEvent {
  question: QuestionRef;
  transport: Transport;
  client: string;
  /** -1 when nothing was sent */
  rcode: number;
  answers: number;
  requestSize: number;
  responseSize: number;
  /** when the query arrived (performance.now(), ms) */
  start: number;
  /** who wrote the reply: the plugin's name ('kubernetes', 'forward', ...), 'fault', or '' when the server did */
  plugin: string;
  edns: boolean;
  do: boolean;
  /** the client's source port (0 when unknown), the query's ID, and the reply's flag bits (bytes 2-3; -1: no reply) */
  port: number;
  id: number;
  flags: number;
  /** the UDP size the query's EDNS advertised (0: no EDNS) */
  bufsize: number;
  /** the reply's bytes when one message was sent (not for AXFR streams): read during the hook only, never kept */
  reply?: Buffer | undefined;
}

/** Forwards raw queries: the `forward` plugin's engine (lib/upstream/forwarder.ts) or a test's stand-in. */
export interface Upstream {
  /**
   * forwards a raw query; resolves to the raw response (ID restored) or null when every upstream failed.
   * With clientTransport 'udp' a truncated upstream reply is passed through (the client retries over TCP).
   */
  forward(query: Buffer, opts?: { clientTransport?: Transport }): Promise<Buffer | null>;
}

/** A query as the chain sees it. Plugins before others may change `name`/`type` (rewrite, autopath). */
export interface Request {
  /** the question name as the next plugin should see it, presentation form without the trailing dot */
  name: string;
  type: number;
  /** the query as received (its question may differ from `name` once a plugin rewrote it) */
  readonly msg: Buffer;
  /** the question `msg` holds */
  readonly asked: { readonly name: string; readonly type: number };
  readonly transport: Transport;
  /** the source address ('' for lookups the server makes itself) */
  readonly client: string;
  /** the source port (0 when unknown) */
  readonly port?: number;
  readonly rd: boolean;
  readonly cd: boolean;
  /** EDNS present / DO bit */
  readonly edns: boolean;
  readonly do: boolean;
  /** the most bytes the reply may have (512, the EDNS size up to 1232, or 65535 over TCP) */
  readonly limit: number;
  /**
   * Set by a plugin whose reply depends on more than (name, type, EDNS): the client (autopath), chance
   * (loadbalance does its shuffle after the cache instead). Such replies are not kept in the answer cache.
   */
  varies: boolean;
  /** how deep in lookups the server made for itself (an ExternalName's target): bounds recursion */
  readonly depth: number;
  /**
   * A lookup the answer cache makes to compare two spellings of a question (Responder.remember): no client asked
   * it, so a plugin counts nothing for it (metrics, success counters).
   */
  readonly probe?: boolean;
}

/** Records the server encodes (and may cache: see Request.varies). */
export interface AnswerReply {
  kind: 'answer';
  answer: Answer;
  /** the plugin that wrote it (metrics' `plugin` label, the journal) */
  plugin: string;
}

/** A whole message from elsewhere (an upstream's reply), sent as is with the client's ID. Never cached. */
export interface RawReply {
  kind: 'raw';
  bytes: Buffer;
  plugin: string;
}

/**
 * Several messages for one query (a zone transfer over TCP), encoded without OPT (as miekg/dns's Transfer.Out writes
 * them). Never cached. May be a lazy iterable: the server encodes and writes one message at a time, as the client
 * reads, so a transfer of a large zone never sits whole in memory (lib/wire/tcp-connection.ts).
 */
export interface MessagesReply {
  kind: 'messages';
  messages: Iterable<Answer>;
  plugin: string;
}

/** null: no reply at all (the client times out), as a plugin that drops the query. */
export type Reply = AnswerReply | RawReply | MessagesReply | null;

export type Next = (req: Request) => Reply | Promise<Reply>;

export interface Plugin {
  /** the directive's name, as in the Corefile */
  readonly name: string;
  serveDNS(req: Request, next: Next): Reply | Promise<Reply>;
  /** a number that changes whenever the plugin's answers may have changed: the answer cache is emptied then */
  generation?(): number;
  /**
   * Rewrites every reply's bytes on the way out, after the answer cache (CoreDNS plugins that wrap the
   * ResponseWriter, such as loadbalance): `out` is the caller's own copy and may be changed in place.
   */
  finish?(out: Buffer, req: { type: number; transport: Transport; client: string }): Buffer;
  /** sees every answered query (log, errors, metrics) */
  onQuery?(e: QueryEvent): void;
  /** called when the server stops */
  close?(): void | Promise<void>;
}

export function answerReply(answer: Answer, plugin: string): AnswerReply {
  return { kind: 'answer', answer, plugin };
}
