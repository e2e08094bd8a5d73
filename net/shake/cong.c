// SPDX-License-Identifier: GPL-2.0
/*
 * shake: congestion control: slow start and congestion avoidance
 * (RFC 5681), fast retransmit and NewReno fast recovery (RFC 6582). The
 * congestion window counts segments, as Linux TCP's does.
 */

#include <net/shake.h>

/* Segments in flight before this ACK, from sequence numbers */
static u32 shake_flight_segs(const struct shake_sock *ssk)
{
	return DIV_ROUND_UP(ssk->snd_max - ssk->snd_una, ssk->mss_cache);
}

/* RFC 5681 (4): half the flight, at least two segments */
static u32 shake_halved(const struct shake_sock *ssk)
{
	return max_t(u32, shake_flight_segs(ssk) / 2, 2);
}

void shake_cong_init(struct shake_sock *ssk)
{
	ssk->cwnd = SHAKE_INIT_CWND;
	ssk->ssthresh = U32_MAX;
	ssk->cwnd_cnt = 0;
	ssk->dupacks = 0;
	ssk->in_recovery = 0;
	/* RFC 6582 3.2 step 1: the initial send sequence number */
	ssk->recover = ssk->iss;
}

/**
 * shake_cong_ack - new data was acknowledged
 * @sk: the socket, locked
 * @ack: the acknowledgment number; snd_una is still the old one
 * @acked: bytes newly acknowledged
 *
 * Outside recovery the window grows: by the segments acknowledged in slow
 * start (at most two per ACK, RFC 3465's L), by one segment a window in
 * congestion avoidance. In recovery, a partial ACK retransmits the next
 * hole and deflates the window (RFC 6582 3.2 step 5), a full ACK ends
 * recovery at ssthresh (step 6).
 */
void shake_cong_ack(struct sock *sk, u32 ack, u32 acked)
{
	struct shake_sock *ssk = shake_sk(sk);
	u32 segs = DIV_ROUND_UP(acked, ssk->mss_cache);

	ssk->dupacks = 0;
	if (ssk->in_recovery) {
		if (shake_before(ack, ssk->recover)) {
			ssk->cwnd = ssk->cwnd > segs ? ssk->cwnd - segs + 1 : 1;
			shake_retransmit_head(sk);
			return;
		}
		ssk->in_recovery = 0;
		ssk->cwnd = min(ssk->ssthresh,
				DIV_ROUND_UP(ssk->snd_max - ack,
					     ssk->mss_cache) + 1);
		return;
	}
	if (ssk->cwnd < ssk->ssthresh) {
		ssk->cwnd += min_t(u32, segs, 2);
		return;
	}
	ssk->cwnd_cnt += segs;
	if (ssk->cwnd_cnt >= ssk->cwnd) {
		ssk->cwnd_cnt -= ssk->cwnd;
		ssk->cwnd++;
	}
}

/**
 * shake_cong_dupack - a duplicate ACK arrived
 * @sk: the socket, locked; ssk->dupacks already counts this one
 *
 * The third starts fast retransmit and recovery, unless it acknowledges
 * nothing beyond the recovery point of an earlier loss (RFC 6582 4.1); in
 * recovery each further one inflates the window by the segment that left
 * the network.
 */
void shake_cong_dupack(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (ssk->in_recovery) {
		ssk->cwnd++;
		return;
	}
	if (ssk->dupacks != 3 || !shake_after(ssk->snd_una, ssk->recover))
		return;
	ssk->ssthresh = shake_halved(ssk);
	ssk->cwnd = ssk->ssthresh + 3;
	ssk->cwnd_cnt = 0;
	ssk->recover = ssk->snd_max;
	ssk->in_recovery = 1;
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_FASTRETRANS);
	shake_retransmit_head(sk);
}

/**
 * shake_cong_timeout - the retransmission timer expired
 * @ssk: the socket, locked
 *
 * RFC 5681 (4) and 3.1: ssthresh to half the flight, one segment of
 * window; RFC 6582 4.1: duplicate ACKs of what was sent before the timeout
 * start no new recovery.
 */
void shake_cong_timeout(struct shake_sock *ssk)
{
	ssk->ssthresh = shake_halved(ssk);
	ssk->cwnd = 1;
	ssk->cwnd_cnt = 0;
	ssk->dupacks = 0;
	ssk->in_recovery = 0;
	ssk->recover = ssk->snd_max;
}
