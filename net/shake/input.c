// SPDX-License-Identifier: GPL-2.0
/*
 * shake: segment input: validation, checksum, demultiplexing, and what a
 * segment does to a synchronized connection (RFC 9293 3.10.7.4); the
 * handshake's segments are handshake.c's and listen.c's.
 */

#include <net/icmp.h>
#include <net/ip.h>

#include "protocol.h"

/**
 * shake_rcv - the IP layer's handler for shake segments
 * @skb: a segment addressed to this host; skb->data at the shake header
 *
 * Validates the header (length, data offset, options) and the checksum over
 * the IPv4 pseudo-header; malformed segments are dropped and counted in
 * InErrs (and InCsumErrors). A valid segment goes to the connection its
 * 4-tuple names, or to that connection's TIME_WAIT record, or to a
 * listener, or, when there is none, is answered as RFC 9293 3.10.7.1 says.
 *
 * Return: 0; the skb is always consumed.
 */
int shake_rcv(struct sk_buff *skb)
{
	struct net *net = dev_net(skb->dev);
	enum skb_drop_reason reason;
	const struct shakehdr *th;
	const struct iphdr *iph;
	struct sock *sk;

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
	/* parsed once: the socket's handler, or its backlog, finds them here */
	BUILD_BUG_ON(sizeof(struct shake_options) > sizeof(skb->cb));
	if (shake_parse_options(th, SHAKE_RCV_OPT(skb)))
		goto bad_segment;

	iph = ip_hdr(skb);
	sk = shake_ehash_lookup(net, iph->saddr, th->source, iph->daddr,
				th->dest);
	if (!sk) {
		/* a connection in TIME_WAIT answers through its record */
		if (shake_tw_rcv(net, skb))
			return 0;
		sk = shake_lhash_lookup(net, iph->daddr, th->dest,
					inet_iif(skb));
	}
	if (!sk) {
		shake_send_reset(net, skb);
		reason = SKB_DROP_REASON_NO_SOCKET;
		goto discard;
	}

	bh_lock_sock_nested(sk);
	/* a listener's queues are under this spinlock alone: its segments
	 * never wait for the owner, or a flood would fill the backlog while
	 * accept() holds it and crowd out the final ACKs of handshakes
	 */
	if (sk->sk_state == TCP_LISTEN || !sock_owned_by_user(sk)) {
		shake_sk_rcv(sk, skb);
	} else if (sk_add_backlog(sk, skb, READ_ONCE(sk->sk_rcvbuf) +
				  READ_ONCE(sk->sk_sndbuf))) {
		bh_unlock_sock(sk);
		SHAKE_INC_STATS(net, SHAKE_MIB_BACKLOGDROP);
		sock_put(sk);
		reason = SKB_DROP_REASON_SOCKET_BACKLOG;
		goto discard;
	}
	bh_unlock_sock(sk);
	sock_put(sk);
	return 0;

bad_segment:
	SHAKE_INC_STATS(net, SHAKE_MIB_INERRS);
discard:
	kfree_skb_reason(skb, reason);
	return 0;
}

/* Does any of the segment fall in the receive window (RFC 9293 3.10.7.4)? */
static bool shake_seq_acceptable(const struct shake_sock *ssk, u32 seq,
				 u32 seg_len)
{
	u32 wnd = shake_window_now(ssk), wnd_end = ssk->rcv_nxt + wnd;

	if (!seg_len)
		return !shake_before(seq, ssk->rcv_nxt) &&
		       (wnd ? shake_before(seq, wnd_end) :
			      seq == ssk->rcv_nxt);
	return wnd &&
	       ((!shake_before(seq, ssk->rcv_nxt) &&
		 shake_before(seq, wnd_end)) ||
		(!shake_before(seq + seg_len - 1, ssk->rcv_nxt) &&
		 shake_before(seq + seg_len - 1, wnd_end)));
}

/* RFC 7323 5.3 (PAWS): a timestamp older than the last one in order says
 * the segment is an old duplicate. A RST is exempt: it may come from a
 * peer that restarted its clock.
 */
static bool shake_paws_reject(const struct shake_sock *ssk,
			      const struct shakehdr *th,
			      const struct shake_options *opt)
{
	return ssk->opt.tstamp_ok && opt->saw_tstamp && !th->rst &&
	       (s32)(opt->tsval - ssk->opt.ts_recent) < 0;
}

/* Answer a segment we drop as old: an ACK, with a D-SACK of its data if
 * all of it arrived before (RFC 2883)
 */
static void shake_send_dupack(struct sock *sk, u32 seq, u32 seg_len)
{
	if (seg_len && !shake_after(seq + seg_len, shake_sk(sk)->rcv_nxt))
		shake_dsack_set(sk, seq, seq + seg_len);
	shake_send_ack(sk);
}

/* A segment for a synchronized connection (SYN_RECV, ESTABLISHED, or on
 * the way to CLOSE). Returns true if the skb was queued as data.
 */
static bool shake_rcv_synchronized(struct sock *sk, struct sk_buff *skb,
				   const struct shakehdr *th,
				   const struct shake_options *opt)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 seq = ntohl(th->seq), ack = ntohl(th->ack_seq);
	u32 data_len = skb->len - th->doff * 4;
	u32 seg_len = data_len + th->syn + th->fin;

	if (shake_paws_reject(ssk, th, opt)) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_PAWSDROPS);
		shake_send_dupack(sk, seq, seg_len);
		return false;
	}
	if (!shake_seq_acceptable(ssk, seq, seg_len)) {
		if (!th->rst)
			shake_send_dupack(sk, seq, seg_len);
		return false;
	}
	if (th->rst) {
		/* RFC 5961 3.2: only an exact hit resets */
		if (seq != ssk->rcv_nxt) {
			shake_send_challenge_ack(sk);
			return false;
		}
		/* as TCP: after the peer's FIN a reset reads as EPIPE */
		shake_done(sk, sk->sk_state == TCP_SYN_RECV ? ECONNREFUSED :
			       sk->sk_state == TCP_CLOSE_WAIT ? EPIPE :
			       ECONNRESET);
		return false;
	}
	if (th->syn) {
		/* RFC 5961 4.2: a SYN here is answered, never obeyed */
		shake_send_challenge_ack(sk);
		return false;
	}
	if (!th->ack)
		return false;

	if (shake_after(ack, ssk->snd_nxt) ||
	    (sk->sk_state == TCP_SYN_RECV && !shake_after(ack, ssk->snd_una))) {
		if (sk->sk_state == TCP_SYN_RECV)
			shake_send_reset(sock_net(sk), skb);
		else
			shake_send_ack(sk);
		return false;
	}

	/* RFC 7323 4.3: remember the timestamp to echo */
	if (opt->saw_tstamp && !shake_after(seq, ssk->rcv_wup))
		ssk->opt.ts_recent = opt->tsval;
	ssk->rcv_tstamp = jiffies;
	ssk->probes_out = 0;

	if (sk->sk_state == TCP_SYN_RECV)
		shake_established(sk, th);
	shake_ack_rcv(sk, th, opt, data_len);
	/* a FIN right behind in-order data: FIN_WAIT1 goes to TIME_WAIT */
	if (!shake_fin_acked(sk, th->fin && seq == ssk->rcv_nxt))
		return false;
	if (!data_len && !th->fin)
		return false;
	switch (sk->sk_state) {
	case TCP_ESTABLISHED:
		break;
	case TCP_FIN_WAIT1:
	case TCP_FIN_WAIT2:
		if (shake_abort_on_data(sk, seq, data_len))
			return false;
		break;
	default:
		/* the peer's FIN came before: nothing new follows it */
		return false;
	}
	if (data_len)
		shake_rcv_rtt_measure(sk, opt, data_len);
	return shake_data_rcv(sk, skb);
}

/**
 * shake_sk_rcv - process a segment for a socket
 * @sk: the socket, bh-locked or owned by the caller
 * @skb: the segment, validated by shake_rcv(); consumed, or kept as data
 *
 * Return: 0.
 */
int shake_sk_rcv(struct sock *sk, struct sk_buff *skb)
{
	const struct shakehdr *th = shake_hdr(skb);
	/* a copy: queueing data reuses the control block */
	struct shake_options opt = *SHAKE_RCV_OPT(skb);
	bool kept = false;

	switch (sk->sk_state) {
	case TCP_LISTEN:
		kept = shake_listen_rcv(sk, skb, &opt);
		break;
	case TCP_SYN_SENT:
		shake_syn_sent_rcv(sk, skb, th, &opt);
		break;
	case TCP_CLOSE:
	case TCP_TIME_WAIT:	/* a record took over: what comes is lost */
		break;
	default:
		kept = shake_rcv_synchronized(sk, skb, th, &opt);
		break;
	}
	if (!kept)
		consume_skb(skb);
	return 0;
}

/**
 * shake_err - an ICMP error about a segment we sent (net_protocol.err_handler)
 * @skb: the ICMP message; skb->data at the IP header it quotes, of which
 *	the IP layer made 8 bytes of our header linear
 * @info: ICMP-specific data (the MTU of a fragmentation-needed message)
 *
 * Port and protocol unreachable refuse a connection being opened: a host
 * without shake answers a SYN with protocol unreachable. Other
 * unreachables are soft errors (RFC 1122 4.2.3.9): they are remembered, and
 * reported if the connection then times out. Quotes whose sequence number
 * is not in flight are ignored (RFC 5927).
 *
 * Return: 0, or -ENOENT when no connection matches.
 */
int shake_err(struct sk_buff *skb, u32 info)
{
	const struct iphdr *iph = (const struct iphdr *)skb->data;
	const struct shakehdr *th =
		(const struct shakehdr *)(skb->data + (iph->ihl << 2));
	int type = icmp_hdr(skb)->type, code = icmp_hdr(skb)->code;
	struct net *net = dev_net(skb->dev);
	struct shake_sock *ssk;
	struct sock *sk;
	u32 seq;

	sk = shake_ehash_lookup(net, iph->daddr, th->dest, iph->saddr,
				th->source);
	if (!sk)
		return -ENOENT;
	ssk = shake_sk(sk);

	bh_lock_sock(sk);
	seq = ntohl(th->seq);
	if (sock_owned_by_user(sk) || shake_before(seq, ssk->snd_una) ||
	    shake_after(seq, ssk->snd_nxt) || type != ICMP_DEST_UNREACH ||
	    code > NR_ICMP_UNREACH || code == ICMP_FRAG_NEEDED)
		goto out;

	if (code == ICMP_PORT_UNREACH || code == ICMP_PROT_UNREACH) {
		if (sk->sk_state == TCP_SYN_SENT || sk->sk_state == TCP_SYN_RECV)
			shake_done(sk, ECONNREFUSED);
		else
			sk->sk_err_soft = ECONNREFUSED;
		goto out;
	}
	sk->sk_err_soft = icmp_err_convert[code].errno;
out:
	bh_unlock_sock(sk);
	sock_put(sk);
	return 0;
}

/**
 * shake_backlog_rcv - a segment queued while the owner held the socket
 * (struct proto.backlog_rcv)
 * @sk: the socket, owned by the caller (release_sock())
 * @skb: the segment
 *
 * A listener never queues to its backlog (shake_rcv()), but a segment
 * queued for the connection this socket had may meet it listening; a
 * listener's queues want the spinlock, as in softirq.
 *
 * Return: 0.
 */
int shake_backlog_rcv(struct sock *sk, struct sk_buff *skb)
{
	if (sk->sk_state != TCP_LISTEN)
		return shake_sk_rcv(sk, skb);
	local_bh_disable();
	bh_lock_sock_nested(sk);
	shake_sk_rcv(sk, skb);
	bh_unlock_sock(sk);
	local_bh_enable();
	return 0;
}
