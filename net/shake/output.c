// SPDX-License-Identifier: GPL-2.0
/*
 * shake: segment output.
 */

#include <asm/unaligned.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/shake.h>

void shake_ratelimit_init(struct shake_ratelimit *rl)
{
	spin_lock_init(&rl->lock);
	rl->credit = 0;
	rl->stamp = jiffies - HZ;
}

/* Take one token from @rl, refilled at @rate a second; rate 0: no limit. */
static bool shake_ratelimit_allow(struct shake_ratelimit *rl, int rate)
{
	unsigned long now = jiffies, delta;
	bool allowed = false;

	if (rate <= 0)
		return true;

	spin_lock_bh(&rl->lock);
	delta = min_t(unsigned long, now - rl->stamp, HZ);
	if (delta >= HZ / 50) {
		rl->credit = min_t(u32, rate, rl->credit + delta * rate / HZ);
		rl->stamp = now;
	}
	if (rl->credit) {
		rl->credit--;
		allowed = true;
	}
	spin_unlock_bh(&rl->lock);
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
	if (!shake_ratelimit_allow(&sn->reset_limit,
				   READ_ONCE(sn->sysctl_reset_msgs_per_sec))) {
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

/* What we tell the peer it may send us: the route's MTU less the headers */
static u16 shake_advertised_mss(const struct sock *sk)
{
	const struct dst_entry *dst = __sk_dst_get((struct sock *)sk);
	unsigned int mtu = dst ? dst_mtu(dst) : IPV4_MIN_MTU;

	return mtu - sizeof(struct iphdr) - sizeof(struct shakehdr);
}

/* Send a segment with no data from a socket: SYN, SYN-ACK, ACK or RST.
 * @seq is its sequence number; an ACK acknowledges rcv_nxt.
 */
static int shake_transmit_control(struct sock *sk, u8 flags, u32 seq)
{
	struct inet_sock *inet = inet_sk(sk);
	struct shake_sock *ssk = shake_sk(sk);
	unsigned int hlen = sizeof(struct shakehdr);
	struct shakehdr *th;
	struct sk_buff *skb;
	int err;

	if (flags & SHAKEHDR_SYN)
		hlen += SHAKEOLEN_MSS;
	skb = alloc_skb(MAX_SHAKE_HEADER, gfp_any());
	if (!skb)
		return -ENOBUFS;
	skb_reserve(skb, MAX_SHAKE_HEADER);
	th = skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	memset(th, 0, hlen);
	th->source = inet->inet_sport;
	th->dest = inet->inet_dport;
	th->seq = htonl(seq);
	if (flags & SHAKEHDR_ACK)
		th->ack_seq = htonl(ssk->rcv_nxt);
	th->doff = hlen / 4;
	shake_flag_byte(th) = flags;
	if (!(flags & SHAKEHDR_RST))
		th->window = htons(min(ssk->rcv_wnd, 65535U));
	if (flags & SHAKEHDR_SYN) {
		u8 *opt = (u8 *)(th + 1);

		opt[0] = SHAKEOPT_MSS;
		opt[1] = SHAKEOLEN_MSS;
		put_unaligned_be16(shake_advertised_mss(sk), opt + 2);
	}
	th->check = csum_tcpudp_magic(inet->inet_saddr, inet->inet_daddr, hlen,
				      sk->sk_protocol,
				      csum_partial(th, hlen, 0));

	skb_set_owner_w(skb, sk);
	err = ip_queue_xmit(sk, skb, &inet->cork.fl);
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_OUTSEGS);
	if (flags & SHAKEHDR_RST)
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_OUTRSTS);
	return net_xmit_eval(err);
}

/**
 * shake_send_syn - send our SYN, or our SYN-ACK in a simultaneous open
 * @sk: a socket in SYN_SENT or SYN_RECV
 *
 * Return: 0 or a negative errno from the IP layer.
 */
int shake_send_syn(struct sock *sk)
{
	u8 flags = SHAKEHDR_SYN;

	if (sk->sk_state == TCP_SYN_RECV)
		flags |= SHAKEHDR_ACK;
	return shake_transmit_control(sk, flags, shake_sk(sk)->iss);
}

void shake_send_ack(struct sock *sk)
{
	shake_transmit_control(sk, SHAKEHDR_ACK, shake_sk(sk)->snd_nxt);
}

/* RFC 5961: an ACK that makes a blind attacker's guess visible to the peer */
void shake_send_challenge_ack(struct sock *sk)
{
	struct shake_net *sn = shake_net(sock_net(sk));

	if (!shake_ratelimit_allow(&sn->challenge_limit,
				   READ_ONCE(sn->sysctl_challenge_ack_limit))) {
		SHAKE_INC_STATS(sock_net(sk),
				SHAKE_MIB_CHALLENGEACKSRATELIMITED);
		return;
	}
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_CHALLENGEACKS);
	shake_send_ack(sk);
}

/* Abort: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> */
void shake_send_active_reset(struct sock *sk)
{
	shake_transmit_control(sk, SHAKEHDR_RST | SHAKEHDR_ACK,
			       shake_sk(sk)->snd_nxt);
}
