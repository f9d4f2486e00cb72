// Several replies to one query (a zone transfer over TCP), made one at a time as they are taken: the TCP connection
// takes the next only when the client has read enough of the last (lib/wire/tcp-connection.ts), and calls return()
// when it closes first, so a transfer of a large zone never sits whole in memory.

export type MessageStream = Generator<Buffer, void, void>;

/** What the server sends for one query: one message, several, or a stream of them. */
export type Replies = Buffer | Buffer[] | MessageStream;

/** Several replies made as they are taken (Buffer is iterable too: it is checked first). */
export function isMessageStream(x: Replies): x is MessageStream {
  return !Buffer.isBuffer(x) && !Array.isArray(x);
}

/** The first of the replies (over UDP it is all there can be); the rest are never made. */
export function firstReply(x: Replies): Buffer | undefined {
  if (Buffer.isBuffer(x)) return x;
  if (Array.isArray(x)) return x[0];
  const r = x.next();
  x.return();
  return r.done ? undefined : r.value;
}
