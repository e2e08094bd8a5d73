// SPDX-License-Identifier: GPL-2.0
/*
 * shake: segment input: validation, checksum, demultiplexing.
 */

#include <net/ip.h>
#include <net/shake.h>

/**
 * shake_rcv - the IP layer's handler for shake segments
 * @skb: a segment addressed to this host; skb->data at the shake header
 *
 * Validates the header (length, data offset, options) and the checksum over
 * the IPv4 pseudo-header; malformed segments are dropped and counted in
 * InErrs (and InCsumErrors). No connection exists yet, so every valid
 * segment finds no socket and is answered as RFC 9293 3.10.7.1 says.
 *
 * Return: 0; the skb is always consumed.
 */
int shake_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	enum skb_drop_reason reason;
	struct shake_options opt;
	const struct shakehdr *th;

	if (skb->pkt_type != PACKET_HOST) {
		reason = SKB_DROP_REASON_OTHERHOST;
		goto discard;
	}
	SHAKE_INC_STATS(net, SHAKE_MIB_INSEGS);

	reason = SKB_DROP_REASON_PKT_TOO_SMALL;
	if (!pskb_may_pull(skb, sizeof(struct shakehdr)))
		goto bad_segment;
	th = shake_hdr(skb);
	if (th->doff < sizeof(struct shakehdr) / 4 ||
	    !pskb_may_pull(skb, th->doff * 4))
		goto bad_segment;

	if (skb_checksum_init(skb, shake_ipproto, inet_compute_pseudo) ||
	    skb_checksum_complete(skb)) {
		SHAKE_INC_STATS(net, SHAKE_MIB_INCSUMERRORS);
		reason = SKB_DROP_REASON_NOT_SPECIFIED;
		goto bad_segment;
	}

	th = shake_hdr(skb);	/* the pulls may have moved it */
	reason = SKB_DROP_REASON_NOT_SPECIFIED;
	if (shake_parse_options(th, &opt))
		goto bad_segment;

	shake_send_reset(net, skb);
	reason = SKB_DROP_REASON_NO_SOCKET;
	goto discard;

bad_segment:
	SHAKE_INC_STATS(net, SHAKE_MIB_INERRS);
discard:
	kfree_skb_reason(skb, reason);
	return 0;
}
