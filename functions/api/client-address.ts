/**
 * Who a request comes from, for the limits kept per client (failed authentications). The runtime entry says
 * where the address is (AppDeps.clientOf): the connection's peer on `aisle serve`, API Gateway's source IP on
 * Lambda. A header is believed only when the operator says a proxy in front sets it.
 */

/** The client address a trusted proxy put in a header: the last entry of a list (X-Forwarded-For), the one it appended itself. */
export function proxiedAddress(header: string | undefined): string | undefined {
  const last = header?.split(',').at(-1)?.trim();
  return last || undefined;
}

/**
 * The name a client is counted under: an IPv4 address as it is (also when mapped into IPv6), an IPv6 address
 * by its /64, the share one host usually holds, so that rotating addresses inside it does not reset its count.
 */
export function clientKey(address: string | undefined): string {
  const a = (address ?? '').replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  if (!a) return 'unknown';
  const v4 = /^(?:::ffff:)?(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(a);
  if (v4) return v4[1];
  if (!a.includes(':')) return a;
  const [head, tail] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (Number.parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
