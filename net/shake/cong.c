// SPDX-License-Identifier: GPL-2.0
/*
 * shake: congestion control, as policy: an algorithm sets the congestion
 * window and the slow start threshold and answers what they should be; it
 * never sends (retransmit.c detects losses and recovers, and asks it). The
 * window counts segments, as Linux TCP's does.
 *
 * Reno (RFC 5681): slow start, congestion avoidance, and half the flight
 * as the threshold after a loss.
 */

#include "protocol.h"

/* RFC 6928 initial window, in segments */
#define SHAKE_INIT_CWND		10

/* Segments in flight before this ACK, from sequence numbers */
static u32 shake_flight_segs(const struct shake_sock *ssk)
{
	return DIV_ROUND_UP(ssk->snd_nxt - ssk->snd_una, ssk->mss_cache);
}

static void shake_reno_init(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->cwnd = SHAKE_INIT_CWND;
	ssk->ssthresh = U32_MAX;
	ssk->cwnd_cnt = 0;
}

/* RFC 5681 (4): half the flight, at least two segments */
static u32 shake_reno_ssthresh(struct sock *sk)
{
	return max_t(u32, shake_flight_segs(shake_sk(sk)) / 2, 2);
}

/* Slow start: by the segments acknowledged, at most two per ACK (RFC
 * 3465's L); congestion avoidance: by one segment a window.
 */
static void shake_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked_segs)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (ssk->cwnd < ssk->ssthresh) {
		ssk->cwnd += min_t(u32, acked_segs, 2);
		return;
	}
	ssk->cwnd_cnt += acked_segs;
	if (ssk->cwnd_cnt >= ssk->cwnd) {
		ssk->cwnd_cnt -= ssk->cwnd;
		ssk->cwnd++;
	}
}

const struct shake_cong_ops shake_reno = {
	.name		= "reno",
	.init		= shake_reno_init,
	.ssthresh	= shake_reno_ssthresh,
	.cong_avoid	= shake_reno_cong_avoid,
};

/**
 * shake_cong_init - a connection starts: its algorithm, and no loss yet
 * @sk: the socket, locked
 */
void shake_cong_init(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->cong_ops = &shake_reno;
	ssk->cong_ops->init(sk);
	ssk->ca_state = SHAKE_CA_OPEN;
	ssk->reordering = READ_ONCE(shake_net(sock_net(sk))->sysctl_reordering);
	/* RFC 6582 3.2 step 1: the initial send sequence number */
	ssk->recover = ssk->iss;
}
