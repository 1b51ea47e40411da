/**
 * Broken replies a misbehaving or hostile host sends, for the fault catalogue (docs/reliability.md):
 * a connection cut in the middle of a reply, XML that is not well-formed, nested without end, or
 * carrying an entity bomb, and w:TimedOut storms. A plan hits the next `count` matching replies,
 * then the host answers normally again, so a scenario can prove recovery as well as the error.
 */
import { ACTION, NS } from './soap';

export type ReplyFaultKind =
  /** Headers and half the body are written, then the TCP connection is destroyed. */
  | 'reset-mid-reply'
  /** HTTP 200 with a body that is not well-formed XML. */
  | 'malformed-xml'
  /** HTTP 200 with a well-formed envelope whose body nests `depth` elements. */
  | 'deep-xml'
  /** HTTP 200 with a DOCTYPE declaring exponentially expanding entities ("billion laughs"). */
  | 'entity-bomb'
  /** The w:TimedOut fault, without running the request (a Receive's output stays queued). */
  | 'timed-out';

export interface ReplyFaultPlan {
  kind: ReplyFaultKind;
  /** Which requests are hit: Receive only (the long-polling call), or every WS-Man request. */
  on: 'receive' | 'any';
  /** How many matching replies are hit (1–1,000,000), then the host answers normally. */
  count: number;
  /** Nesting depth for deep-xml (1–1,000,000). */
  depth?: number;
}

const DEFAULT_DEPTH = 100_000;

export class ReplyFaults {
  private plan: ReplyFaultPlan | undefined;
  private left = 0;
  /** Replies this host has broken since the last plan was set. */
  hits = 0;

  set(plan: ReplyFaultPlan): void {
    if (!Number.isInteger(plan.count) || plan.count < 1 || plan.count > 1_000_000) throw new RangeError(`reply fault count=${plan.count} must be 1–1000000`);
    const depth = plan.depth ?? DEFAULT_DEPTH;
    if (!Number.isInteger(depth) || depth < 1 || depth > 1_000_000) throw new RangeError(`reply fault depth=${depth} must be 1–1000000`);
    this.plan = { ...plan, depth };
    this.left = plan.count;
    this.hits = 0;
  }

  clear(): void {
    this.plan = undefined;
    this.left = 0;
  }

  /** The fault to apply to this request's reply, counting it; undefined = answer normally. */
  take(action: string): ReplyFaultPlan | undefined {
    const plan = this.plan;
    if (!plan || this.left <= 0) return undefined;
    if (plan.on === 'receive' && action !== ACTION.receive) return undefined;
    this.left--;
    this.hits++;
    if (this.left === 0) this.plan = undefined;
    return plan;
  }
}

/** The body a faulty reply carries (reset-mid-reply and timed-out are applied by the listener). */
export function faultyReplyBody(plan: ReplyFaultPlan): string {
  switch (plan.kind) {
    case 'malformed-xml':
      // Cut mid-tag and with a mismatched end tag: no parser can read it.
      return `<s:Envelope xmlns:s="${NS.soap}"><s:Header></s:Body><rsp:ReceiveResponse xmlns:rsp="${NS.shell}"><rsp:Stream Name="stdout"`;
    case 'deep-xml': {
      const depth = plan.depth ?? DEFAULT_DEPTH;
      return `<s:Envelope xmlns:s="${NS.soap}"><s:Header/><s:Body>${'<d>'.repeat(depth)}${'</d>'.repeat(depth)}</s:Body></s:Envelope>`;
    }
    case 'entity-bomb': {
      // Ten levels of ten references: 10^10 copies of "lol" if a parser expanded them.
      const entities = ['<!ENTITY l0 "lol">'];
      for (let i = 1; i <= 10; i++) entities.push(`<!ENTITY l${i} "${`&l${i - 1};`.repeat(10)}">`);
      return `<?xml version="1.0"?><!DOCTYPE s:Envelope [${entities.join('')}]><s:Envelope xmlns:s="${NS.soap}"><s:Header/><s:Body>&l10;</s:Body></s:Envelope>`;
    }
    default:
      throw new Error(`reply fault ${plan.kind} has no body of its own`);
  }
}
