// SPDX-License-Identifier: GPL-2.0
/*
 * shake: what both ends of a handshake share, however it was opened
 * (connect.c, listen.c, cookie.c): the options a SYN offers and the ones
 * both ends agree on (MSS, window scale, SACK-permitted, timestamps; RFC
 * 9293 3.7.1, RFC 7323), the window a SYN offers, the state a connection
 * starts its transfer with, a listener's description of a handshake (a
 * request record's or a cookie's), and the active opener's side of the
 * exchange (SYN_SENT, RFC 9293 3.10.7.3).
 */

#include <kunit/visibility.h>
#include <linux/log2.h>
#include <net/dst.h>
#include <net/ip.h>

#include "records.h"

/**
 * shake_mss_for - the largest segment that fits a route, bytes of data
 * @dst: the route, or NULL
 * @user_mss: SHAKE_MAXSEG, 0 if unset
 *
 * Return: the MSS, at least SHAKE_MIN_MSS.
 */
u16 shake_mss_for(const struct dst_entry *dst, u16 user_mss)
{
	unsigned int mtu = dst ? dst_mtu(dst) : IPV4_MIN_MTU;
	unsigned int mss = mtu - sizeof(struct iphdr) - sizeof(struct shakehdr);

	if (user_mss && user_mss < mss)
		mss = user_mss;
	return max_t(unsigned int, mss, SHAKE_MIN_MSS);
}

/**
 * shake_wscale_for - the window scale a receive buffer needs
 * @space: bytes the window should be able to describe
 *
 * TCP's rule (tcp_select_initial_window()), so that the same buffer gives
 * the same shift: the bits of @space beyond 15.
 *
 * Return: the shift, at most SHAKE_MAX_WSCALE.
 */
u8 shake_wscale_for(u32 space)
{
	return clamp_t(int, space ? ilog2(space) - 15 : 0, 0, SHAKE_MAX_WSCALE);
}
EXPORT_SYMBOL_IF_KUNIT(shake_wscale_for);

/**
 * shake_syn_window - the window a SYN or SYN-ACK offers
 * @sk: the connecting socket or the listener
 *
 * Half the receive buffer (the other half is skb overhead, as the windows
 * of shake_select_window()), never scaled (RFC 7323 2.2).
 *
 * Return: the window, bytes.
 */
u32 shake_syn_window(const struct sock *sk)
{
	return min_t(u32, READ_ONCE(sk->sk_rcvbuf) / 2, 65535U);
}

/**
 * shake_req_init - a handshake's addresses and window, from a segment of it
 * @sk: the listener
 * @skb: the SYN, or the ACK that ends a cookie's handshake
 * @th: its header
 * @req: a request record or a cookie's description; all else is zeroed
 */
void shake_req_init(struct sock *sk, const struct sk_buff *skb,
		    const struct shakehdr *th, struct shake_request *req)
{
	const struct iphdr *iph = ip_hdr(skb);

	memset(req, 0, sizeof(*req));
	req->listener = sk;
	req->addrs.laddr = iph->daddr;
	req->addrs.raddr = iph->saddr;
	req->addrs.lport = th->dest;
	req->addrs.rport = th->source;
	req->rcv_wnd = shake_syn_window(sk);
}

/**
 * shake_syn_opts_offer - what our SYN or SYN-ACK may offer, from sysctls
 * @sk: the connecting socket or the listener
 * @opt: filled in; a SYN-ACK then keeps only what the SYN offered too
 * @saddr: our address
 * @daddr: the peer's
 */
void shake_syn_opts_offer(const struct sock *sk, struct shake_syn_opts *opt,
			  __be32 saddr, __be32 daddr)
{
	struct shake_net *sn = shake_net(sock_net(sk));
	/* the window the buffer allows, or what autotuning may grow it to */
	u32 space = READ_ONCE(sk->sk_rcvbuf) / 2;

	if (!(sk->sk_userlocks & SOCK_RCVBUF_LOCK))
		space = max3(space, (u32)READ_ONCE(sn->sysctl_rmem[2]),
			     (u32)READ_ONCE(sysctl_rmem_max));
	memset(opt, 0, sizeof(*opt));
	opt->wscale_ok = !!READ_ONCE(sn->sysctl_window_scaling);
	if (opt->wscale_ok)
		opt->rcv_wscale = shake_wscale_for(space);
	opt->sack_ok = !!READ_ONCE(sn->sysctl_sack);
	opt->tstamp_ok = !!READ_ONCE(sn->sysctl_timestamps);
	opt->ts_off = shake_ts_off(saddr, daddr);
}

/**
 * shake_syn_opts_agree - keep what both ends offered (RFC 7323 2.2, 3.2)
 * @opt: ours, as shake_syn_opts_offer() made them
 * @peer: the options of the peer's SYN or SYN-ACK
 */
void shake_syn_opts_agree(struct shake_syn_opts *opt,
			  const struct shake_options *peer)
{
	opt->mss = peer->mss ? : SHAKE_DEFAULT_MSS;
	opt->wscale_ok = opt->wscale_ok && peer->wscale_ok;
	if (opt->wscale_ok) {
		opt->snd_wscale = min_t(u8, peer->wscale, SHAKE_MAX_WSCALE);
	} else {
		opt->snd_wscale = 0;
		opt->rcv_wscale = 0;
	}
	opt->sack_ok = opt->sack_ok && peer->sack_ok;
	opt->tstamp_ok = opt->tstamp_ok && peer->saw_tstamp;
	opt->ts_recent = peer->tsval;
}

/**
 * shake_reset_transfer - a connection starts: no data, samples or counts
 * @ssk: a socket whose queues are empty (new, or disconnected), or the clone
 *	of a listener
 */
void shake_reset_transfer(struct shake_sock *ssk)
{
	ssk->ooo_queue = RB_ROOT;
	ssk->rcv_ooopack = 0;
	ssk->send_head = NULL;
	ssk->packets_out = 0;
	ssk->sacked_out = 0;
	ssk->lost_out = 0;
	ssk->retrans_out = 0;
	memset(&ssk->rack, 0, sizeof(ssk->rack));
	ssk->rack.reo_wnd_mult = 1;
	ssk->min_rtt_us = 0;
	ssk->rcv_num_sacks = 0;
	ssk->dsack_out = 0;
	ssk->undo_ok = 0;
	ssk->tlp_out = 0;
	ssk->ack_pending = 0;
	ssk->srtt_us = 0;
	ssk->rttvar_us = 0;
	ssk->rto = SHAKE_TIMEOUT_INIT;
	ssk->retransmits = 0;
	ssk->probes_out = 0;
	ssk->total_retrans = 0;
	ssk->bytes_sent = 0;
	ssk->bytes_acked = 0;
	ssk->bytes_received = 0;
}

/**
 * shake_init_transfer - a connection becomes synchronized: set up sending
 * @sk: the socket, locked; iss, snd_una, snd_nxt, rcv_nxt and the agreed
 *	options are set
 * @th: the segment that synchronized it, whose window is the peer's
 *	first (scaled unless it is a SYN)
 */
void shake_init_transfer(struct sock *sk, const struct shakehdr *th)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 wnd = ntohs(th->window);

	if (!th->syn)
		wnd <<= ssk->opt.snd_wscale;
	ssk->snd_wnd = wnd;
	ssk->max_window = wnd;
	ssk->snd_wl1 = ntohl(th->seq);
	ssk->snd_wl2 = ntohl(th->ack_seq);
	ssk->write_seq = ssk->snd_nxt;
	ssk->highest_sack = ssk->snd_una;
	ssk->rack.dsack_round = ssk->snd_una;
	/* the MSS counts no options (RFC 6691): timestamps ride in it */
	ssk->mss_cache = min(ssk->opt.mss,
			     shake_mss_for(__sk_dst_get(sk), ssk->user_mss));
	if (ssk->opt.tstamp_ok)
		ssk->mss_cache -= SHAKEOLEN_TSTAMP_ALIGNED;
	ssk->rcv_mss = min_t(u16, ssk->mss_cache, SHAKE_DEFAULT_MSS);
	ssk->copied_seq = ssk->rcv_nxt;
	ssk->rcv_wup = ssk->rcv_nxt;
	ssk->retransmits = 0;
	ssk->rcv_tstamp = jiffies;
	shake_cong_init(sk);
	shake_buffers_init(sk);
}

/**
 * shake_established - enter ESTABLISHED from SYN_SENT or SYN_RECV
 * @sk: the socket, locked
 * @th: the segment that completed the handshake
 *
 * Sets up the transfer and tells the owner (a connect() waiting, poll).
 */
void shake_established(struct sock *sk, const struct shakehdr *th)
{
	shake_clear_timers(sk);
	shake_init_transfer(sk, th);
	shake_set_state(sk, TCP_ESTABLISHED);
	shake_keepalive_reset(sk);
	sk->sk_state_change(sk);
	sk_wake_async(sk, SOCK_WAKE_IO, POLL_OUT);
}

/**
 * shake_syn_sent_rcv - a segment for a socket in SYN_SENT (RFC 9293 3.10.7.3)
 * @sk: the socket, locked
 * @skb: the segment
 * @th: its header
 * @opt: its options
 *
 * A SYN-ACK for our SYN establishes the connection; a SYN alone is a
 * simultaneous open, answered with our SYN-ACK; a RST with an acceptable
 * ACK refuses the connection.
 */
void shake_syn_sent_rcv(struct sock *sk, struct sk_buff *skb,
			const struct shakehdr *th,
			const struct shake_options *opt)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 ack = ntohl(th->ack_seq);

	if (th->ack && (!shake_after(ack, ssk->iss) ||
			shake_after(ack, ssk->snd_nxt))) {
		/* not for our SYN: <SEQ=SEG.ACK><CTL=RST> */
		shake_send_reset(sock_net(sk), skb);
		return;
	}
	if (th->rst) {
		if (th->ack)
			shake_done(sk, ECONNREFUSED);
		return;
	}
	if (!th->syn)
		return;

	ssk->rcv_nxt = ntohl(th->seq) + 1;
	shake_syn_opts_agree(&ssk->opt, opt);
	if (th->ack) {
		ssk->snd_una = ack;
		shake_rtt_measure(ssk, ssk->syn_sent_us, opt);
		shake_established(sk, th);
		shake_send_ack(sk);
	} else {
		/* simultaneous open: answer the peer's SYN with our SYN-ACK */
		shake_set_state(sk, TCP_SYN_RECV);
		shake_send_syn(sk);
	}
}
