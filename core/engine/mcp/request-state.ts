/**
 * The `requestState` the gateway gives a 2026-07-28 client in an `input_required` result (and
 * the task ids it gives, task-ids.ts). The client echoes it back on its retry, so it is attacker-controlled input: it is signed (HMAC-SHA256),
 * dated, and bound to the caller and the operation it was issued for (the principal, the method, the
 * server and the item), so a state that was altered, is out of date, or is replayed by another
 * principal or for another tool is refused before anything acts on it. Signed, not encrypted: it
 * holds nothing secret, only which call it continues.
 *
 * The wire form is that of the SDK's `createRequestStateCodec` (`v1.<body>.<mac>`, base64url, the
 * binding as an HMAC tag so the principal never travels in clear), written on `node:crypto`: the
 * SDK's codec is asynchronous WebCrypto, several times the cost on a path each round takes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { RpcCodes, RpcError } from '../../kernel/errors.ts';

/** Longer states are refused unread: room for the state of an upstream inside, but not for a flood. */
export const MAX_REQUEST_STATE_LENGTH = 64 * 1024;

/** Keys shorter than this are refused: HMAC-SHA256 wants at least its own output's length. */
export const MIN_KEY_BYTES = 32;

export class RequestStateSeal {
  readonly #key: Buffer;
  readonly #ttlMs: number;

  /** `key`: the secret every replica shares (at least 32 bytes). */
  constructor(key: string | Buffer, ttlMs: number) {
    const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
    if (bytes.length < MIN_KEY_BYTES)
      throw new RangeError(`the requestState key must be at least ${MIN_KEY_BYTES} bytes`);
    this.#key = Buffer.from(bytes);
    this.#ttlMs = ttlMs;
  }

  /** A state carrying `payload`, for the caller and operation that `binding` names, valid for `ttlMs`. */
  seal(payload: unknown, binding: string, ttlMs = this.#ttlMs): string {
    const body = base64url(JSON.stringify({ p: payload, exp: Date.now() + ttlMs, b: this.#tag(binding) }));
    return `v1.${body}.${this.#mac(`v1.${body}`).toString('base64url')}`;
  }

  /**
   * The payload of a state this gateway sealed for `binding`; an `RpcError` (-32602) saying why
   * not, otherwise, naming the parameter that carried it (`what`).
   */
  open(state: unknown, binding: string, what = 'requestState'): unknown {
    const refused = (why: string) => new RpcError(RpcCodes.INVALID_PARAMS, `Invalid params: ${what} ${why}`);
    if (typeof state !== 'string' || state.length > MAX_REQUEST_STATE_LENGTH)
      throw refused('is not one this gateway issued');
    const [version, body, mac, extra] = state.split('.');
    if (version !== 'v1' || !body || !mac || extra !== undefined) throw refused('is not one this gateway issued');
    if (!sameBytes(Buffer.from(mac, 'base64url'), this.#mac(`v1.${body}`)))
      throw refused('failed its integrity check (altered, or issued by another gateway)');
    const { p, exp, b } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as {
      p: unknown;
      exp: number;
      b: string;
    };
    if (!(Date.now() <= exp)) throw refused('has expired: send the request again without it');
    if (!sameBytes(Buffer.from(b, 'base64url'), Buffer.from(this.#tag(binding), 'base64url')))
      throw refused('was issued to another caller or for another operation');
    return p;
  }

  #mac(text: string): Buffer {
    return createHmac('sha256', this.#key).update(text).digest();
  }

  #tag(binding: string): string {
    return this.#mac(`mcp.requestState.bind:${binding}`).subarray(0, 16).toString('base64url');
  }
}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);
