// SPDX-License-Identifier: GPL-2.0
/*
 * shake: flow control (RFC 9293 3.8.6). The receiver: the window we
 * advertise (never moving its right edge back, not opened by less than a
 * segment: silly window avoidance) and when a window update is worth an
 * ACK. The sender: the peer's window from its ACKs, and the persist timer
 * that probes a window the peer closed.
 */

#include <kunit/visibility.h>

#include "protocol.h"

/* Receive buffer space a window may offer: half of what is free, for the
 * overhead skbs carry (as TCP's default tcp_adv_win_scale).
 */
static u32 shake_rcv_space(const struct sock *sk)
{
	int free = READ_ONCE(sk->sk_rcvbuf) - atomic_read(&sk->sk_rmem_alloc);

	return free > 0 ? free / 2 : 0;
}

/**
 * shake_window_now - what is left of the window we last advertised
 * @ssk: the socket
 *
 * Return: bytes beyond rcv_nxt the peer may still send.
 */
u32 shake_window_now(const struct shake_sock *ssk)
{
	s32 win = ssk->rcv_wup + ssk->rcv_wnd - ssk->rcv_nxt;

	return win > 0 ? win : 0;
}

/**
 * shake_window_choose - the window to advertise (RFC 9293 3.8.6.2.2,
 *	RFC 7323 2.4)
 * @cur: what is left of the window last advertised
 * @space: the receive space free for it
 * @min_step: the least a window opens by (receiver's silly window
 *	avoidance): a smaller opening keeps @cur
 * @wscale: our window scale
 *
 * Return: the window, bytes: never below @cur (the right edge does not
 * move back), at most 65535 << @wscale, a multiple of 1 << @wscale.
 */
u32 shake_window_choose(u32 cur, u32 space, u32 min_step, u8 wscale)
{
	u32 win = space;

	if (win < cur || win - cur < min_step)
		win = cur;
	win = min(win, 65535U << wscale);
	/* the field counts units of 2^ws: round down, unless that shrinks */
	if (round_down(win, 1U << wscale) >= cur)
		return round_down(win, 1U << wscale);
	return round_up(cur, 1U << wscale);
}
EXPORT_SYMBOL_IF_KUNIT(shake_window_choose);

/**
 * shake_select_window - the window field of a segment we send now
 * @sk: a synchronized socket, locked
 *
 * Records the window as advertised from rcv_nxt.
 *
 * Return: the field's value, scaled.
 */
u16 shake_select_window(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	u8 ws = ssk->opt.rcv_wscale;
	u32 win;

	win = shake_window_choose(shake_window_now(ssk), shake_rcv_space(sk),
				  min_t(u32, ssk->rcv_mss,
					READ_ONCE(sk->sk_rcvbuf) / 4), ws);
	ssk->rcv_wnd = win;
	ssk->rcv_wup = ssk->rcv_nxt;
	return win >> ws;
}

/**
 * shake_window_update_due - would a window update tell the peer much?
 * @sk: a synchronized socket, locked
 *
 * Yes when the window could grow to at least twice what it is and by at
 * least one segment: reopening a closed window, or the reader having freed
 * half the buffer.
 *
 * Return: true if an ACK should say so now.
 */
bool shake_window_update_due(const struct sock *sk)
{
	const struct shake_sock *ssk = shake_sk(sk);
	u32 now = shake_window_now(ssk), space = shake_rcv_space(sk);

	return space >= 2 * now && space - now >= ssk->rcv_mss;
}

/**
 * shake_snd_wnd_update - take the peer's window from an acceptable ACK
 * @sk: a synchronized socket, locked
 * @ack: the segment's acknowledgment number; snd_una is still the old one
 * @seq: its sequence number
 * @wnd: its window, scaled
 *
 * RFC 9293 3.10.7.4's rule (a newer segment, by SND.WL1 and SND.WL2),
 * and, as Linux TCP, any ACK of new data: the ACKs sent during a
 * retransmission carry snd_nxt and may leave wl1 ahead of the
 * retransmitted segments that follow.
 *
 * Return: true if the window changed.
 */
bool shake_snd_wnd_update(struct sock *sk, u32 ack, u32 seq, u32 wnd)
{
	struct shake_sock *ssk = shake_sk(sk);
	bool changed;

	if (!shake_after(ack, ssk->snd_una) &&
	    !shake_before(ssk->snd_wl1, seq) &&
	    !(ssk->snd_wl1 == seq && !shake_before(ack, ssk->snd_wl2)))
		return false;
	changed = wnd != ssk->snd_wnd;
	ssk->snd_wnd = wnd;
	ssk->snd_wl1 = seq;
	ssk->snd_wl2 = ack;
	ssk->max_window = max(ssk->max_window, wnd);
	return changed;
}

/**
 * shake_reset_probe_timer - start the persist timer, with backoff
 * @sk: the socket, locked; nothing in flight, data waiting for a window
 *
 * The retransmission timer does this job while nothing is in flight.
 */
void shake_reset_probe_timer(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	unsigned long when = min_t(unsigned long,
				   (unsigned long)ssk->rto << ssk->retransmits,
				   SHAKE_RTO_MAX);

	ssk->timer_job = SHAKE_TIMER_PROBE;
	sk_reset_timer(sk, &ssk->retransmit_timer, jiffies + when);
}

/**
 * shake_probe_timeout - the peer's window is still closed: probe it
 * @sk: a synchronized socket, locked
 *
 * A probe (RFC 9293 3.8.6.1) asks for the current window; the interval
 * backs off as the retransmission timeout does.
 */
void shake_probe_timeout(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->timer_job = SHAKE_TIMER_NONE;
	if (ssk->packets_out || !ssk->send_head)
		return;
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_WINPROBES);
	shake_send_probe(sk);
	ssk->probes_out++;
	if (ssk->retransmits < 31)
		ssk->retransmits++;
	shake_reset_probe_timer(sk);
}
