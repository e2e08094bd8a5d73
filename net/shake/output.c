// SPDX-License-Identifier: GPL-2.0
/*
 * shake: segment output: headers and options, checksums, segments of a
 * socket and segments no socket sends (RSTs, and those of requests and
 * TIME_WAIT records), and sending what the write queue holds as far as the
 * peer's window, the congestion window and Nagle allow.
 */

#include <asm/unaligned.h>
#include <linux/random.h>
#include <net/ip.h>
#include <net/route.h>

#include "records.h"

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

/* Options of one outgoing segment */
struct shake_out_opts {
	u16 mss;		/* 0: no MSS option */
	u8 wscale;
	u8 wscale_ok:1,
	   sack_ok:1,
	   tstamp_ok:1;
	u8 num_sacks;		/* SACK blocks in @sacks */
	u32 tsval;
	u32 tsecr;
	struct shake_sack_block sacks[SHAKE_MAX_SACKS];
};

/* Room for options in a header: 60 bytes at most, 20 of them fixed */
#define SHAKE_MAX_OPTS_LEN	40
/* NOP, NOP, kind, length: what SACK blocks take besides their own bytes */
#define SHAKEOLEN_SACK_ALIGNED	4

static unsigned int shake_out_opts_len(const struct shake_out_opts *o)
{
	unsigned int len = 0;

	if (o->mss)
		len += SHAKEOLEN_MSS;
	if (o->tstamp_ok)		/* SACK-permitted takes its NOPs */
		len += SHAKEOLEN_TSTAMP_ALIGNED;
	else if (o->sack_ok)
		len += 4;
	if (o->wscale_ok)
		len += 4;
	if (o->num_sacks)
		len += SHAKEOLEN_SACK_ALIGNED +
		       o->num_sacks * SHAKEOLEN_SACK_BLOCK;
	return len;
}

/* In the order and alignment TCP uses, so captures look familiar */
static void shake_out_opts_write(u8 *p, const struct shake_out_opts *o)
{
	if (o->mss) {
		*p++ = SHAKEOPT_MSS;
		*p++ = SHAKEOLEN_MSS;
		put_unaligned_be16(o->mss, p);
		p += 2;
	}
	if (o->tstamp_ok) {
		if (o->sack_ok) {
			*p++ = SHAKEOPT_SACK_PERM;
			*p++ = SHAKEOLEN_SACK_PERM;
		} else {
			*p++ = SHAKEOPT_NOP;
			*p++ = SHAKEOPT_NOP;
		}
		*p++ = SHAKEOPT_TIMESTAMP;
		*p++ = SHAKEOLEN_TIMESTAMP;
		put_unaligned_be32(o->tsval, p);
		put_unaligned_be32(o->tsecr, p + 4);
		p += 8;
	} else if (o->sack_ok) {
		*p++ = SHAKEOPT_NOP;
		*p++ = SHAKEOPT_NOP;
		*p++ = SHAKEOPT_SACK_PERM;
		*p++ = SHAKEOLEN_SACK_PERM;
	}
	if (o->wscale_ok) {
		*p++ = SHAKEOPT_NOP;
		*p++ = SHAKEOPT_WINDOW;
		*p++ = SHAKEOLEN_WINDOW;
		*p++ = o->wscale;
	}
	if (o->num_sacks) {
		int i;

		*p++ = SHAKEOPT_NOP;
		*p++ = SHAKEOPT_NOP;
		*p++ = SHAKEOPT_SACK;
		*p++ = 2 + o->num_sacks * SHAKEOLEN_SACK_BLOCK;
		for (i = 0; i < o->num_sacks; i++, p += SHAKEOLEN_SACK_BLOCK) {
			put_unaligned_be32(o->sacks[i].start, p);
			put_unaligned_be32(o->sacks[i].end, p + 4);
		}
	}
}

/* Put a header with options in front of the data @skb holds */
static struct shakehdr *shake_push_header(struct sk_buff *skb, __be16 sport,
					  __be16 dport, u32 seq, u32 ack,
					  u8 flags, u16 window,
					  const struct shake_out_opts *o)
{
	unsigned int hlen = sizeof(struct shakehdr) + shake_out_opts_len(o);
	struct shakehdr *th;

	th = skb_push(skb, hlen);
	skb_reset_transport_header(skb);
	memset(th, 0, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = hlen / 4;
	shake_flag_byte(th) = flags;
	th->window = htons(window);
	shake_out_opts_write((u8 *)(th + 1), o);
	return th;
}

/* The checksum, by the device when it can sum any protocol (NETIF_F_HW_CSUM:
 * loopback, veth), else here. A device that only sums TCP and UDP must not
 * be told to: it would leave ours wrong.
 */
static void shake_checksum(struct sk_buff *skb, __be32 saddr, __be32 daddr,
			   bool offload)
{
	struct shakehdr *th = shake_hdr(skb);

	th->check = 0;
	if (offload) {
		skb->ip_summed = CHECKSUM_PARTIAL;
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = offsetof(struct shakehdr, check);
		th->check = ~csum_tcpudp_magic(saddr, daddr, skb->len,
					       shake_ipproto, 0);
	} else {
		skb->ip_summed = CHECKSUM_NONE;
		th->check = csum_tcpudp_magic(saddr, daddr, skb->len,
					      shake_ipproto,
					      skb_checksum(skb, 0, skb->len, 0));
	}
}

static struct sk_buff *shake_alloc_control(gfp_t gfp)
{
	struct sk_buff *skb = alloc_skb(MAX_SHAKE_HEADER, gfp);

	if (skb)
		skb_reserve(skb, MAX_SHAKE_HEADER);
	return skb;
}

/**
 * struct shake_stateless_seg - a segment no socket sends
 * @addrs: its 4-tuple, ours first: laddr is the source address, which the
 *	IP header takes from here, never from the sending socket
 * @seq: sequence number
 * @ack: acknowledgment number
 * @flags: SHAKEHDR_* flags
 * @tos: the IP header's TOS
 * @window: the window field
 * @oif: the device to route through, 0 for any
 */
struct shake_stateless_seg {
	struct shake_addrs addrs;
	u32 seq;
	u32 ack;
	u8 flags;
	u8 tos;
	u16 window;
	int oif;
};

/* Send a segment that no socket owns, or that comes from a request or a
 * TIME_WAIT record: a RST, a SYN-ACK, an ACK, with the options @o (NULL
 * for none). @sk supplies the IP-level settings (TTL, mark, priority) and,
 * for a SYN-ACK, SHAKE_MAXSEG.
 */
static void shake_send_stateless(struct net *net, const struct sock *sk,
				 const struct shake_stateless_seg *seg,
				 struct shake_out_opts *o)
{
	const struct shake_addrs *a = &seg->addrs;
	struct shake_out_opts none = {};
	struct sk_buff *skb;
	struct flowi4 fl4;
	struct rtable *rt;

	flowi4_init_output(&fl4, seg->oif, READ_ONCE(sk->sk_mark), seg->tos,
			   RT_SCOPE_UNIVERSE, shake_ipproto, 0, a->raddr,
			   a->laddr, a->rport, a->lport,
			   sock_net_uid(net, NULL));
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt))
		return;

	skb = shake_alloc_control(GFP_ATOMIC);
	if (!skb) {
		ip_rt_put(rt);
		return;
	}
	if (seg->flags & SHAKEHDR_SYN)
		o->mss = shake_mss_for(&rt->dst, shake_sk(sk)->user_mss);
	shake_push_header(skb, a->lport, a->rport, seg->seq, seg->ack,
			  seg->flags, seg->window, o ? : &none);
	shake_checksum(skb, a->laddr, a->raddr, false);
	skb_dst_set(skb, &rt->dst);
	ip_build_and_send_pkt(skb, sk, a->laddr, a->raddr, NULL, seg->tos);
	SHAKE_INC_STATS(net, SHAKE_MIB_OUTSEGS);
	if (seg->flags & SHAKEHDR_RST)
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
	struct shake_stateless_seg seg = {
		.addrs = {
			.laddr = iph->daddr,
			.raddr = iph->saddr,
			.lport = th->dest,
			.rport = th->source,
		},
		.flags = SHAKEHDR_RST,
		.tos = RT_TOS(iph->tos),
	};

	if (th->rst || skb_rtable(in_skb)->rt_type != RTN_LOCAL)
		return;
	if (!shake_ratelimit_allow(&sn->reset_limit,
				   READ_ONCE(sn->sysctl_reset_msgs_per_sec))) {
		SHAKE_INC_STATS(net, SHAKE_MIB_OUTRSTSRATELIMITED);
		return;
	}
	if (th->ack) {
		seg.seq = ntohl(th->ack_seq);
	} else {
		seg.flags |= SHAKEHDR_ACK;
		seg.ack = ntohl(th->seq) + in_skb->len - th->doff * 4 +
			  th->syn + th->fin;
	}
	shake_send_stateless(net, sn->ctl_sk, &seg, NULL);
}

/**
 * shake_send_synack - answer a SYN on behalf of a request record
 * @req: the request, or a cookie's description of the handshake; its
 *	listener is bh-locked
 * @tsval: our timestamp value, if timestamps were agreed
 */
void shake_send_synack(const struct shake_request *req, u32 tsval)
{
	struct sock *sk = req->listener;
	struct shake_out_opts o = {
		.wscale_ok = req->opt.wscale_ok,
		.wscale = req->opt.rcv_wscale,
		.sack_ok = req->opt.sack_ok,
		.tstamp_ok = req->opt.tstamp_ok,
		.tsval = tsval,
		.tsecr = req->opt.ts_recent,
	};
	struct shake_stateless_seg seg = {
		.addrs = req->addrs,
		.seq = req->iss,
		.ack = req->rcv_nxt,
		.flags = SHAKEHDR_SYN | SHAKEHDR_ACK,
		.tos = READ_ONCE(inet_sk(sk)->tos),
		.window = req->rcv_wnd,
	};

	shake_send_stateless(sock_net(sk), sk, &seg, &o);
}

/**
 * shake_send_reset_request - abort a half-open connection
 * @req: the request; its listener is bh-locked
 */
void shake_send_reset_request(const struct shake_request *req)
{
	struct sock *sk = req->listener;
	struct shake_stateless_seg seg = {
		.addrs = req->addrs,
		.seq = req->iss + 1,
		.ack = req->rcv_nxt,
		.flags = SHAKEHDR_RST | SHAKEHDR_ACK,
		.tos = READ_ONCE(inet_sk(sk)->tos),
	};

	shake_send_stateless(sock_net(sk), sk, &seg, NULL);
}

/**
 * shake_send_tw_ack - acknowledge a segment for a connection in TIME_WAIT
 * @tw: the connection's record
 *
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> with the window the connection last
 * offered and, when agreed, timestamps echoing TS.Recent. It goes through
 * the namespace's control socket, from the record's local address, and
 * through the device the socket was bound to.
 */
void shake_send_tw_ack(const struct shake_tw *tw)
{
	struct net *net = read_pnet(&tw->net);
	struct shake_out_opts o = {
		.tstamp_ok = tw->tstamp_ok,
		.tsval = shake_time_stamp() + tw->ts_off,
		.tsecr = READ_ONCE(tw->ts_recent),
	};
	struct shake_stateless_seg seg = {
		.addrs = tw->addrs,
		.seq = tw->snd_nxt,
		.ack = tw->rcv_nxt,
		.flags = SHAKEHDR_ACK,
		.tos = tw->tos,
		.window = tw->window,
		.oif = tw->bound_dev_if,
	};

	shake_send_stateless(net, shake_net(net)->ctl_sk, &seg, &o);
}

/* SACK blocks for a segment with @len bytes of data, as many as fit beside
 * its other options and, on a data segment, within the MSS: a full one
 * carries none (the MSS was sized without them).
 */
static void shake_xmit_sacks(struct sock *sk, u32 len,
			     struct shake_out_opts *o)
{
	int room = SHAKE_MAX_OPTS_LEN - shake_out_opts_len(o);

	if (len)
		room = min_t(int, room, (int)shake_sk(sk)->mss_cache - (int)len);
	room = (room - SHAKEOLEN_SACK_ALIGNED) / SHAKEOLEN_SACK_BLOCK;
	if (room > 0)
		o->num_sacks = shake_sack_opt_blocks(sk, o->sacks,
						     min(room, SHAKE_MAX_SACKS));
}

/**
 * shake_xmit - send one segment of a socket
 * @sk: the socket, locked
 * @skb: data (possibly none), headroom for the headers; consumed
 * @seq: its sequence number
 * @flags: SHAKEHDR_* flags
 *
 * Adds the header with its options (MSS, window scale and SACK-permitted
 * on a SYN; timestamps when agreed; SACK blocks when data waits out of
 * order or a duplicate came), acknowledges rcv_nxt when ACK is set,
 * and hands the segment to IP. A super-segment's header is the one each
 * of its segments will carry.
 */
static void shake_xmit(struct sock *sk, struct sk_buff *skb, u32 seq, u8 flags)
{
	struct inet_sock *inet = inet_sk(sk);
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_out_opts o = {};
	struct dst_entry *dst;
	u16 window = 0, segs;

	if (flags & SHAKEHDR_SYN) {
		o.mss = shake_mss_for(__sk_dst_get(sk), ssk->user_mss);
		o.wscale_ok = ssk->opt.wscale_ok;
		o.wscale = ssk->opt.rcv_wscale;
		o.sack_ok = ssk->opt.sack_ok;
		window = shake_syn_window(sk);
		ssk->rcv_wnd = window;
		ssk->rcv_wup = ssk->rcv_nxt;
	} else if (!(flags & SHAKEHDR_RST)) {
		window = shake_select_window(sk);
	}
	if (ssk->opt.tstamp_ok && !(flags & SHAKEHDR_RST)) {
		o.tstamp_ok = 1;
		o.tsval = shake_time_stamp() + ssk->opt.ts_off;
		o.tsecr = ssk->opt.ts_recent;
	}
	if ((ssk->rcv_num_sacks || ssk->dsack_out) &&
	    (flags & (SHAKEHDR_ACK | SHAKEHDR_SYN | SHAKEHDR_RST)) ==
	    SHAKEHDR_ACK)
		shake_xmit_sacks(sk, skb_is_gso(skb) ?
				 skb_shinfo(skb)->gso_size : skb->len, &o);
	shake_push_header(skb, inet->inet_sport, inet->inet_dport, seq,
			  flags & SHAKEHDR_ACK ? ssk->rcv_nxt : 0, flags, window,
			  &o);
	dst = __sk_dst_get(sk);
	/* not sk_route_caps: sk_setup_caps() claims HW_CSUM for any device;
	 * a super-segment's are finished where it is cut up
	 */
	shake_checksum(skb, inet->inet_saddr, inet->inet_daddr,
		       skb_is_gso(skb) ||
		       (dst && (dst->dev->features & NETIF_F_HW_CSUM)));
	/* what the IP layer finds in the control block must be its own */
	memset(skb->cb, 0, sizeof(struct inet_skb_parm));
	skb_set_owner_w(skb, sk);

	if (flags & SHAKEHDR_ACK)
		shake_ack_sent(sk);
	/* a segment lost here is recovered like one lost on the wire */
	segs = skb_is_gso(skb) ? skb_shinfo(skb)->gso_segs : 1;
	ip_queue_xmit(sk, skb, &inet->cork.fl);
	SHAKE_ADD_STATS(sock_net(sk), SHAKE_MIB_OUTSEGS, segs);
	if (flags & SHAKEHDR_RST)
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_OUTRSTS);
}

/* A segment with no data: SYN, SYN-ACK, ACK or RST */
static void shake_transmit_control(struct sock *sk, u8 flags, u32 seq)
{
	struct sk_buff *skb = shake_alloc_control(gfp_any());

	if (skb)
		shake_xmit(sk, skb, seq, flags);
}

/**
 * shake_send_syn - send our SYN, or our SYN-ACK in a simultaneous open
 * @sk: a socket in SYN_SENT or SYN_RECV
 */
void shake_send_syn(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	u8 flags = SHAKEHDR_SYN;

	if (sk->sk_state == TCP_SYN_RECV)
		flags |= SHAKEHDR_ACK;
	ssk->syn_sent_us = ssk->retransmits ? 0 : shake_clock_us();
	shake_transmit_control(sk, flags, ssk->iss);
}

/**
 * shake_send_ack - a segment with no data that acknowledges rcv_nxt
 * @sk: the socket, locked
 *
 * Its sequence number is snd_nxt, even while older data is sent again: a
 * peer that already holds that data would find an ACK with an older one
 * old and drop what it says (as BSD does, RFC 9293 3.10.7.4's test).
 */
void shake_send_ack(struct sock *sk)
{
	shake_transmit_control(sk, SHAKEHDR_ACK, shake_sk(sk)->snd_nxt);
}

/**
 * shake_send_probe - a segment the peer must answer with an ACK
 * @sk: a synchronized socket, locked
 *
 * An old sequence number (SND.UNA - 1) and no data: a zero-window probe
 * or a keepalive (RFC 9293 3.8.6.1, 3.8.4). The answer carries the peer's
 * current window.
 */
void shake_send_probe(struct sock *sk)
{
	shake_transmit_control(sk, SHAKEHDR_ACK, shake_sk(sk)->snd_una - 1);
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

/* Whether @f continues @last in the same page, so that one frag holds both */
static bool shake_frag_continues(const skb_frag_t *last, const skb_frag_t *f)
{
	return skb_frag_page(last) == skb_frag_page(f) &&
	       skb_frag_off(last) + skb_frag_size(last) == skb_frag_off(f);
}

/* Fragment slots @q's data would add to @gso */
static int shake_frags_needed(const struct sk_buff *gso,
			      const struct sk_buff *q)
{
	const struct skb_shared_info *gs = skb_shinfo(gso);
	const struct skb_shared_info *qs = skb_shinfo(q);
	const skb_frag_t *last = gs->nr_frags ?
				 &gs->frags[gs->nr_frags - 1] : NULL;
	int i, need = 0;

	for (i = 0; i < qs->nr_frags; last = &qs->frags[i], i++)
		need += !last || !shake_frag_continues(last, &qs->frags[i]);
	return need;
}

/**
 * shake_gather - one super-segment carrying queued segments' data
 * @first: the first of them on sk_write_queue
 * @n: how many; lowered to as many as the fragment slots hold
 *
 * The data is shared, not copied: the super-segment takes its own page
 * references, and the queued segments stay for retransmission.
 *
 * Return: the super-segment, headroom for the headers, or NULL.
 */
static struct sk_buff *shake_gather(struct sk_buff *first, int *n)
{
	struct sk_buff *gso = alloc_skb(MAX_SHAKE_HEADER, GFP_ATOMIC);
	struct skb_shared_info *gs;
	struct sk_buff *q = first;
	int taken, i;

	if (!gso)
		return NULL;
	skb_reserve(gso, MAX_SHAKE_HEADER);
	gs = skb_shinfo(gso);
	for (taken = 0; taken < *n; taken++, q = q->next) {
		const struct skb_shared_info *qs = skb_shinfo(q);

		if (gs->nr_frags + shake_frags_needed(gso, q) > MAX_SKB_FRAGS)
			break;
		for (i = 0; i < qs->nr_frags; i++) {
			const skb_frag_t *f = &qs->frags[i];
			int nr = gs->nr_frags;

			if (nr && shake_frag_continues(&gs->frags[nr - 1], f)) {
				skb_frag_size_add(&gs->frags[nr - 1],
						  skb_frag_size(f));
				continue;
			}
			__skb_fill_page_desc(gso, nr, skb_frag_page(f),
					     skb_frag_off(f), skb_frag_size(f));
			__skb_frag_ref(&gs->frags[nr]);
			gs->nr_frags = nr + 1;
		}
		gso->len += q->len;
		gso->data_len += q->len;
		gso->truesize += q->len;
	}
	*n = taken;
	if (taken > 1) {
		gs->gso_size = first->len;
		gs->gso_segs = taken;
		gs->gso_type = SHAKE_GSO_TYPE;
	}
	return gso;
}

/* The queued segment @skb leaves (again): the scoreboard's view of it */
static void shake_skb_sent(struct sock *sk, struct sk_buff *skb, u64 now_us)
{
	struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);
	struct shake_sock *ssk = shake_sk(sk);

	if (skb == ssk->send_head) {
		if (!ssk->packets_out)
			shake_cong_event(sk, SHAKE_CA_EVENT_TX_START);
		ssk->send_head = skb_queue_is_last(&sk->sk_write_queue, skb) ?
				 NULL : skb->next;
		ssk->snd_nxt = cb->end_seq;
		ssk->packets_out++;
	} else {
		cb->retransmitted = 1;
		cb->rack_off = 0;
		if (!cb->retrans) {
			cb->retrans = 1;
			ssk->retrans_out++;
		}
		ssk->total_retrans++;
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_RETRANSSEGS);
		if (ssk->undo_ok) {
			ssk->undo_retrans++;
			/* no later than the segment's own: not after it */
			if (!ssk->retrans_stamp)
				ssk->retrans_stamp = (shake_time_stamp() +
						      ssk->opt.ts_off) ? : 1;
		}
	}
	if (ssk->ca_state == SHAKE_CA_RECOVERY)
		ssk->prr_out++;
	cb->sent_us = now_us;
	ssk->bytes_sent += skb->len;
}

/**
 * shake_send_run - put queued data segments on the wire
 * @sk: the socket, locked
 * @skb: the first, on sk_write_queue; they stay there until acknowledged
 * @n: how many consecutive ones to send, the first's length each but the
 *	last (more than one only for new data on a route with GSO)
 *
 * Sends a copy (the originals stay for retransmission): of one segment
 * alone, or a super-segment of several that GSO or the device cuts up
 * again. The send head goes out for the first time and joins the flight;
 * a segment below snd_nxt has been sent before: it counts as a
 * retransmission in flight, and its RTT will not be sampled (Karn).
 *
 * Return: segments sent, or -ENOBUFS when no copy could be made (the
 * timer retries).
 */
static int shake_send_run(struct sock *sk, struct sk_buff *skb, int n)
{
	struct shake_sock *ssk = shake_sk(sk);
	bool fresh = skb == ssk->send_head;
	struct sk_buff *copy, *last = skb;
	u64 now_us = shake_clock_us();
	int i;

	if (n > 1)
		copy = shake_gather(skb, &n);
	else if (skb_cloned(skb))	/* a clone below us shares the header room */
		copy = pskb_copy(skb, GFP_ATOMIC);
	else
		copy = skb_clone(skb, GFP_ATOMIC);
	if (!copy)
		return -ENOBUFS;

	for (i = 0; i < n; i++, last = last->next)
		shake_skb_sent(sk, last, now_us);
	last = last->prev;
	if (n > 1) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_GSOSENDS);
		SHAKE_ADD_STATS(sock_net(sk), SHAKE_MIB_GSOSEGS, n);
	}
	/* PSH on the last data written; a bare FIN has none, as TCP's */
	shake_xmit(sk, copy, SHAKE_SKB_CB(skb)->seq, SHAKEHDR_ACK |
		   (last->len && skb_queue_is_last(&sk->sk_write_queue, last) ?
		    SHAKEHDR_PSH : 0) |
		   (SHAKE_SKB_CB(last)->fin ? SHAKEHDR_FIN : 0));
	/* the RTO runs from the oldest segment, a loss probe from the newest */
	if (fresh && ssk->timer_job != SHAKE_TIMER_REO && shake_tlp_schedule(sk))
		return n;
	if (ssk->timer_job != SHAKE_TIMER_RETRANS &&
	    ssk->timer_job != SHAKE_TIMER_REO)
		shake_reset_retransmit_timer(sk);
	return n;
}

/**
 * shake_send_skb - put one queued data segment on the wire
 * @sk: the socket, locked
 * @skb: a segment of sk_write_queue; stays there until acknowledged
 *
 * Return: 0, or -ENOBUFS when no copy could be made (the timer retries).
 */
int shake_send_skb(struct sock *sk, struct sk_buff *skb)
{
	int sent = shake_send_run(sk, skb, 1);

	return sent < 0 ? sent : 0;
}

/**
 * shake_gso_segs - how many segments one super-segment may carry
 * @sk: a synchronized socket
 *
 * 1 unless the route's device does generic segmentation offload ("gso" in
 * ethtool -k). Then as many as the device takes, but, as TCP's autosizing,
 * about a millisecond's worth at the rate cwnd/srtt allows (twice that in
 * slow start, 1.2 times after), and at least two: a slow path still gets
 * several packets per round trip, not one burst.
 */
u32 shake_gso_segs(const struct sock *sk)
{
	const struct shake_sock *ssk = shake_sk(sk);
	u32 segs, ratio;

	if (!(sk->sk_route_caps & NETIF_F_GSO) || !sk_can_gso(sk))
		return 1;
	segs = min_t(u32, sk->sk_gso_max_segs,
		     sk->sk_gso_max_size / ssk->mss_cache);
	if (segs < 2)	/* loopback's MSS fills a super-segment alone */
		return 1;
	if (ssk->srtt_us) {
		ratio = ssk->cwnd < ssk->ssthresh ? 20 : 12;
		segs = clamp_t(u64, div_u64((u64)ssk->cwnd * ratio *
					    (USEC_PER_MSEC / 10),
					    ssk->srtt_us), 2, segs);
	}
	return segs;
}

/* How many queued segments from the send head @skb may go in one
 * super-segment: within @segs, the room the congestion window leaves, and
 * the peer's window; all of the head's length but the last, no bare FIN,
 * a partial tail only when the writer said no more is coming (TCP sends
 * it with the run, as its super-segments hold it).
 */
static int shake_run_length(struct sock *sk, struct sk_buff *skb, u32 segs,
			    bool more)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 room = ssk->cwnd - shake_pipe(ssk);
	struct sk_buff *next = skb;
	int n = 1;

	segs = min(segs, room);
	while (n < segs && next->len == skb->len && !SHAKE_SKB_CB(next)->fin &&
	       !skb_queue_is_last(&sk->sk_write_queue, next)) {
		next = next->next;
		if (!next->len || next->len > skb->len ||
		    shake_after(SHAKE_SKB_CB(next)->end_seq,
				ssk->snd_una + ssk->snd_wnd))
			break;
		if (next->len < skb->len && (more || ssk->cork))
			break;
		n++;
	}
	return n;
}

/**
 * shake_push - send what the write queue holds, as far as allowed
 * @sk: a synchronized socket, locked
 * @more: the writer has more to come (MSG_MORE): hold a partial segment
 *
 * What is marked lost goes first (shake_retransmit_lost()). A new
 * segment goes when it fits the peer's window and the congestion window
 * holds more than the pipe, and, if it is a partial one at the tail, when
 * Nagle's rule (no unacknowledged data, or SHAKE_NODELAY) and cork allow;
 * a FIN goes at once. Those that may go together leave as one
 * super-segment where the route has GSO. A window too small for the next
 * segment with nothing in flight starts the persist timer.
 */
void shake_push(struct sock *sk, bool more)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb;
	u32 segs;

	if (!((1 << sk->sk_state) & SHAKEF_SENDING))
		return;

	shake_retransmit_lost(sk);
	segs = shake_gso_segs(sk);
	ssk->cwnd_limited = 0;
	while ((skb = ssk->send_head)) {
		struct shake_skb_cb *cb = SHAKE_SKB_CB(skb);

		if (shake_after(cb->end_seq, ssk->snd_una + ssk->snd_wnd)) {
			if (!ssk->packets_out && ssk->timer_job == SHAKE_TIMER_NONE)
				shake_reset_probe_timer(sk);
			break;
		}
		if (shake_pipe(ssk) >= ssk->cwnd) {
			ssk->cwnd_limited = 1;
			break;
		}
		/* the FIN waits for neither Nagle nor cork */
		if (skb->len < ssk->mss_cache && !cb->fin &&
		    skb_queue_is_last(&sk->sk_write_queue, skb)) {
			if (more || ssk->cork)
				break;
			if (!ssk->nodelay && ssk->snd_nxt != ssk->snd_una)
				break;
		}
		if (shake_send_run(sk, skb, skb->len ?
				   shake_run_length(sk, skb, segs, more) : 1) < 0)
			break;
	}
}
