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

/* What we tell the peer it may send us: the route's MTU less the headers */
static u16 shake_mss_for(const struct dst_entry *dst)
{
	unsigned int mtu = dst ? dst_mtu(dst) : IPV4_MIN_MTU;

	return mtu - sizeof(struct iphdr) - sizeof(struct shakehdr);
}

/* A checksummed segment of header only (a SYN with the MSS option @mss) */
static struct sk_buff *shake_build_control(gfp_t gfp, __be32 saddr,
					   __be32 daddr, __be16 sport,
					   __be16 dport, u32 seq, u32 ack,
					   u8 flags, u16 window, u16 mss)
{
	unsigned int hlen = sizeof(struct shakehdr);
	struct shakehdr *th;
	struct sk_buff *skb;

	if (flags & SHAKEHDR_SYN)
		hlen += SHAKEOLEN_MSS;
	skb = alloc_skb(MAX_SHAKE_HEADER, gfp);
	if (!skb)
		return NULL;
	skb_reserve(skb, MAX_SHAKE_HEADER);
	th = skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	memset(th, 0, hlen);
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = hlen / 4;
	shake_flag_byte(th) = flags;
	th->window = htons(window);
	if (flags & SHAKEHDR_SYN) {
		u8 *opt = (u8 *)(th + 1);

		opt[0] = SHAKEOPT_MSS;
		opt[1] = SHAKEOLEN_MSS;
		put_unaligned_be16(mss, opt + 2);
	}
	th->check = csum_tcpudp_magic(saddr, daddr, hlen, shake_ipproto,
				      csum_partial(th, hlen, 0));
	return skb;
}

/* Send a segment that no socket owns or that comes from a request record:
 * a RST, or a SYN-ACK. @sk supplies the IP-level settings (TTL, mark,
 * priority) and, for a SYN-ACK, the receive buffer; its protocol is shake's.
 */
static void shake_send_stateless(struct net *net, const struct sock *sk,
				 __be32 saddr, __be32 daddr, __be16 sport,
				 __be16 dport, u32 seq, u32 ack, u8 flags,
				 u8 tos)
{
	struct sk_buff *skb;
	struct flowi4 fl4;
	struct rtable *rt;
	u16 window = 0;

	flowi4_init_output(&fl4, 0, READ_ONCE(sk->sk_mark), tos,
			   RT_SCOPE_UNIVERSE, shake_ipproto, 0, daddr, saddr,
			   dport, sport, sock_net_uid(net, NULL));
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;

	if (flags & SHAKEHDR_SYN)
		window = min_t(u32, READ_ONCE(sk->sk_rcvbuf) / 2, 65535U);
	skb = shake_build_control(GFP_ATOMIC, saddr, daddr, sport, dport, seq,
				  ack, flags, window, shake_mss_for(&rt->dst));
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	skb_dst_set(skb, &rt->dst);
	ip_build_and_send_pkt(skb, sk, saddr, daddr, NULL, tos);
	SHAKE_INC_STATS(net, SHAKE_MIB_OUTSEGS);
	if (flags & SHAKEHDR_RST)
		SHAKE_INC_STATS(net, SHAKE_MIB_OUTRSTS);
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
	u32 seq = 0, ack = 0;
	u8 flags = SHAKEHDR_RST;

	if (th->rst || skb_rtable(in_skb)->rt_type != RTN_LOCAL)
		return;
	if (!shake_ratelimit_allow(&sn->reset_limit,
				   READ_ONCE(sn->sysctl_reset_msgs_per_sec))) {
		SHAKE_INC_STATS(net, SHAKE_MIB_OUTRSTSRATELIMITED);
		return;
	}
	if (th->ack) {
		seq = ntohl(th->ack_seq);
	} else {
		flags |= SHAKEHDR_ACK;
		ack = ntohl(th->seq) + in_skb->len - th->doff * 4 + th->syn +
		      th->fin;
	}
	shake_send_stateless(net, sn->ctl_sk, iph->daddr, iph->saddr,
			     th->dest, th->source, seq, ack, flags,
			     RT_TOS(iph->tos));
}

/**
 * shake_send_synack - answer a SYN on behalf of a request record
 * @req: the request; its listener is locked
 */
void shake_send_synack(struct shake_request *req)
{
	struct sock *sk = req->listener;

	shake_send_stateless(sock_net(sk), sk, req->laddr, req->raddr,
			     req->lport, req->rport, req->iss, req->rcv_nxt,
			     SHAKEHDR_SYN | SHAKEHDR_ACK,
			     READ_ONCE(inet_sk(sk)->tos));
}

/**
 * shake_send_reset_request - abort a half-open connection
 * @req: the request; its listener is locked
 */
void shake_send_reset_request(struct shake_request *req)
{
	struct sock *sk = req->listener;

	shake_send_stateless(sock_net(sk), sk, req->laddr, req->raddr,
			     req->lport, req->rport, req->iss + 1, req->rcv_nxt,
			     SHAKEHDR_RST | SHAKEHDR_ACK,
			     READ_ONCE(inet_sk(sk)->tos));
}

/* Send a segment with no data from a socket: SYN, SYN-ACK, ACK or RST.
 * @seq is its sequence number; an ACK acknowledges rcv_nxt.
 */
static void shake_transmit_control(struct sock *sk, u8 flags, u32 seq)
{
	struct inet_sock *inet = inet_sk(sk);
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb;
	u16 window = 0, mss = 0;

	if (!(flags & SHAKEHDR_RST))
		window = min(ssk->rcv_wnd, 65535U);
	if (flags & SHAKEHDR_SYN)
		mss = shake_mss_for(__sk_dst_get(sk));
	skb = shake_build_control(gfp_any(), inet->inet_saddr,
				  inet->inet_daddr, inet->inet_sport,
				  inet->inet_dport, seq,
				  flags & SHAKEHDR_ACK ? ssk->rcv_nxt : 0,
				  flags, window, mss);
	if (!skb)
		return;
	/* a SYN or ACK lost here is recovered like one lost on the wire */
	skb_set_owner_w(skb, sk);
	ip_queue_xmit(sk, skb, &inet->cork.fl);
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_OUTSEGS);
	if (flags & SHAKEHDR_RST)
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_OUTRSTS);
}

/**
 * shake_send_syn - send our SYN, or our SYN-ACK in a simultaneous open
 * @sk: a socket in SYN_SENT or SYN_RECV
 */
void shake_send_syn(struct sock *sk)
{
	u8 flags = SHAKEHDR_SYN;

	if (sk->sk_state == TCP_SYN_RECV)
		flags |= SHAKEHDR_ACK;
	shake_transmit_control(sk, flags, shake_sk(sk)->iss);
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
