// SPDX-License-Identifier: GPL-2.0
/*
 * shake: segment output.
 */

#include <net/ip.h>
#include <net/route.h>
#include <net/shake.h>

/* Token bucket over sysctl reset_msgs_per_sec, refilled as time passes. */
static bool shake_reset_allowed(struct shake_net *sn)
{
	u32 rate = READ_ONCE(sn->sysctl_reset_msgs_per_sec);
	unsigned long now = jiffies, delta;
	bool allowed = false;

	if (!rate)
		return true;

	spin_lock(&sn->reset_lock);
	delta = min_t(unsigned long, now - sn->reset_stamp, HZ);
	if (delta >= HZ / 50) {
		sn->reset_credit = min_t(u32, rate,
					 sn->reset_credit + delta * rate / HZ);
		sn->reset_stamp = now;
	}
	if (sn->reset_credit) {
		sn->reset_credit--;
		allowed = true;
	}
	spin_unlock(&sn->reset_lock);
	return allowed;
}

/**
 * shake_send_reset - answer a segment that found no socket
 * @net: the namespace it arrived in
 * @in_skb: the validated segment
 *
 * As RFC 9293 3.10.7.1 says: never for a RST; if the segment has ACK set,
 * <SEQ=SEG.ACK><CTL=RST>; otherwise <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>,
 * where SYN and FIN count in SEG.LEN. Only for segments addressed to one
 * of this host's addresses (not broadcast or multicast), and at most
 * sysctl reset_msgs_per_sec a second.
 */
void shake_send_reset(struct net *net, struct sk_buff *in_skb)
{
	const struct shakehdr *th = shake_hdr(in_skb);
	const struct iphdr *iph = ip_hdr(in_skb);
	struct shake_net *sn = shake_net(net);
	struct shakehdr *rth;
	struct sk_buff *skb;
	struct flowi4 fl4;
	struct rtable *rt;
	u32 seg_len;

	if (th->rst || skb_rtable(in_skb)->rt_type != RTN_LOCAL)
		return;
	if (!shake_reset_allowed(sn)) {
		SHAKE_INC_STATS(net, SHAKE_MIB_OUTRSTSRATELIMITED);
		return;
	}

	skb = alloc_skb(MAX_SHAKE_HEADER, GFP_ATOMIC);
	if (!skb)
		return;
	skb_reserve(skb, MAX_SHAKE_HEADER);
	rth = skb_push(skb, sizeof(*rth));
	skb_reset_transport_header(skb);
	memset(rth, 0, sizeof(*rth));
	rth->source = th->dest;
	rth->dest = th->source;
	rth->doff = sizeof(*rth) / 4;
	rth->rst = 1;
	if (th->ack) {
		rth->seq = th->ack_seq;
	} else {
		seg_len = in_skb->len - th->doff * 4 + th->syn + th->fin;
		rth->ack = 1;
		rth->ack_seq = htonl(ntohl(th->seq) + seg_len);
	}
	rth->check = csum_tcpudp_magic(iph->daddr, iph->saddr, sizeof(*rth),
				       shake_ipproto,
				       csum_partial(rth, sizeof(*rth), 0));

	flowi4_init_output(&fl4, 0, in_skb->mark, RT_TOS(iph->tos),
			   RT_SCOPE_UNIVERSE, shake_ipproto, 0,
			   iph->saddr, iph->daddr, th->source, th->dest,
			   sock_net_uid(net, NULL));
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return;
	}
	skb_dst_set(skb, &rt->dst);
	ip_build_and_send_pkt(skb, sn->ctl_sk, iph->daddr, iph->saddr, NULL,
			      RT_TOS(iph->tos));
	SHAKE_INC_STATS(net, SHAKE_MIB_OUTSEGS);
	SHAKE_INC_STATS(net, SHAKE_MIB_OUTRSTS);
}
