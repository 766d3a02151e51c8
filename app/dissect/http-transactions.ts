/**
 * HTTP request/response matching as Wireshark 4.0's HTTP dissector does it (packet-http.c:
 * push_req, push_res and the tree items after the headers): per conversation a list of
 * request/response pairs in the order they were seen. A request starts a new pair; a response
 * takes the latest pair if it has no response yet, else starts one of its own (no request seen).
 * So pipelined requests match as Wireshark matches them: a response goes with the latest request.
 *
 * Each message shows its own pair, and "n/m" counts the pairs of the conversation known when it
 * is dissected, as tshark's single pass shows them. A frame dissected again (the desktop's detail
 * pane) adds nothing: it then sees the pairs known by then, as Wireshark's later passes do.
 */
import type { AppContext } from './model';

export interface HttpPair {
  /** Wireshark's req_res->number: 1, 2, ... within the conversation. */
  number: number;
  requestFrame: number;
  responseFrame: number;
  /** Capture time of the request (ns), null when the pair has no request. */
  requestNs: bigint | null;
  prev: HttpPair | null;
  next: HttpPair | null;
  /** The conversation it belongs to (its pair count and request URIs). */
  conversation: HttpConversation;
  /**
   * The URI its response shows ([Request URI]): the conversation's latest request's when the
   * response was first noted (a later pass shows the same). Null: none.
   */
  responseForUri: string | null;
}

export interface HttpConversation {
  /** Pairs so far (conv_data->req_res_num). */
  count: number;
  tail: HttpPair | null;
  /** The latest request's full URI (with a Host), and its URI: what a response's [Request URI] shows. */
  fullUri: string | null;
  requestUri: string | null;
}

export type HttpMessageKind = 'request' | 'response';

export class HttpTransactionTable {
  private readonly conversations = new Map<string, HttpConversation>();
  /** The pair of each message noted, by `frame:offset`: a frame dissected again adds no pair. */
  private readonly byMessage = new Map<string, HttpPair>();

  /**
   * Notes one request or response at `offset` of the bytes dissected for this frame, with the
   * request's URI and full URI (requests only; null when it has none), and returns its pair.
   */
  note(ctx: AppContext, offset: number, kind: HttpMessageKind, uri: string | null, fullUri: string | null): HttpPair {
    const key = `${ctx.frameNumber}:${offset}`;
    const known = this.byMessage.get(key);
    if (known !== undefined) return known;
    const conversation = this.conversation(ctx);
    let pair: HttpPair;
    if (kind === 'request') {
      if (uri !== null) conversation.requestUri = uri;
      if (fullUri !== null) conversation.fullUri = fullUri;
      pair = this.push(conversation);
      pair.requestFrame = ctx.frameNumber;
      pair.requestNs = ctx.tsNs ?? 0n;
    } else {
      const tail = conversation.tail;
      pair = tail === null || tail.responseFrame > 0 ? this.push(conversation) : tail;
      pair.responseFrame = ctx.frameNumber;
      pair.responseForUri = conversation.fullUri ?? conversation.requestUri;
    }
    this.byMessage.set(key, pair);
    return pair;
  }

  private push(conversation: HttpConversation): HttpPair {
    const pair: HttpPair = {
      number: ++conversation.count,
      requestFrame: 0,
      responseFrame: 0,
      requestNs: null,
      prev: conversation.tail,
      next: null,
      conversation,
      responseForUri: null,
    };
    if (conversation.tail !== null) conversation.tail.next = pair;
    conversation.tail = pair;
    return pair;
  }

  /** The conversation of a message: its TCP connection (from its first frame) or UDP address/port pair. */
  private conversation(ctx: AppContext): HttpConversation {
    const a = `${ctx.src}|${ctx.srcPort}`;
    const b = `${ctx.dst}|${ctx.dstPort}`;
    const key = `${ctx.transport}|${ctx.streamFirstFrame ?? 0}|${a < b ? `${a}|${b}` : `${b}|${a}`}`;
    let conversation = this.conversations.get(key);
    if (conversation === undefined) {
      conversation = { count: 0, tail: null, fullUri: null, requestUri: null };
      this.conversations.set(key, conversation);
    }
    return conversation;
  }
}
