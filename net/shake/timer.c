// SPDX-License-Identifier: GPL-2.0
/*
 * shake: timers. A pending timer holds a reference on its socket
 * (sk_reset_timer); the handler drops it. Each socket has three:
 * retransmission (which also probes a zero window), delayed ACK, and
 * keepalive (sk_timer, which also limits an orphan's FIN_WAIT2).
 */

#include <net/shake.h>

/* The owner is busy with the socket: come back shortly */
#define SHAKE_TIMER_BUSY_RETRY	(HZ / 50)

/* An unanswered SYN, or SYN-ACK of a simultaneous open */
static void shake_syn_timeout(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	int retries = READ_ONCE(shake_net(sock_net(sk))->sysctl_syn_retries);

	if (ssk->retransmits >= retries) {
		/* a soft error (ICMP) seen meanwhile says more than a timeout */
		shake_done(sk, sk->sk_err_soft ? : ETIMEDOUT);
		return;
	}
	ssk->retransmits++;
	ssk->rto = min(ssk->rto * 2, SHAKE_RTO_MAX);
	ssk->total_retrans++;
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_RETRANSSEGS);
	shake_send_syn(sk);
	shake_reset_retransmit_timer(sk);
}

/**
 * shake_data_timeout - data went unacknowledged for an RTO
 * @sk: a synchronized socket, locked
 *
 * After sysctl retries2 timeouts in a row (orphan_retries for an orphan)
 * the connection fails. Otherwise everything in flight counts as lost:
 * congestion control starts again from one segment (RFC 5681 3.1), the
 * RTO doubles (RFC 6298 5.5), and sending goes back to the oldest
 * unacknowledged segment, which is sent whatever the windows say (RFC 6298
 * 5.4).
 */
static void shake_data_timeout(struct sock *sk)
{
	struct shake_net *sn = shake_net(sock_net(sk));
	struct shake_sock *ssk = shake_sk(sk);
	struct sk_buff *skb;
	int retries;

	/* nobody waits for an orphan's result: it gives up sooner */
	retries = sock_flag(sk, SOCK_DEAD) ?
		  READ_ONCE(sn->sysctl_orphan_retries) :
		  READ_ONCE(sn->sysctl_retries2);

	if (ssk->retransmits >= retries) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_ABORTONTIMEOUT);
		shake_done(sk, sk->sk_err_soft ? : ETIMEDOUT);
		return;
	}
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_TIMEOUTS);
	shake_cong_timeout(ssk);
	ssk->retransmits++;
	ssk->rto = min(ssk->rto * 2, SHAKE_RTO_MAX);

	skb_queue_walk(&sk->sk_write_queue, skb)
		SHAKE_SKB_CB(skb)->in_flight = 0;
	ssk->packets_out = 0;
	ssk->send_head = skb_peek(&sk->sk_write_queue);
	ssk->snd_nxt = ssk->snd_una;
	if (ssk->send_head)
		shake_send_skb(sk, ssk->send_head);
	shake_reset_retransmit_timer(sk);
}

/* The peer's window is closed: ask it for a window update */
static void shake_probe_timeout(struct sock *sk)
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

static void shake_retransmit_timer(struct timer_list *t)
{
	struct shake_sock *ssk = from_timer(ssk, t, retransmit_timer);
	struct sock *sk = &ssk->inet.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, t, jiffies + SHAKE_TIMER_BUSY_RETRY);
		goto out;
	}
	switch (sk->sk_state) {
	case TCP_SYN_SENT:
	case TCP_SYN_RECV:	/* a socket in SYN_RECV: a simultaneous open */
		shake_syn_timeout(sk);
		break;
	default:
		if (!((1 << sk->sk_state) & SHAKEF_SENDING))
			break;
		if (ssk->timer_job == SHAKE_TIMER_RETRANS)
			shake_data_timeout(sk);
		else if (ssk->timer_job == SHAKE_TIMER_PROBE)
			shake_probe_timeout(sk);
		break;
	}
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * shake_reset_retransmit_timer - (re)start the RTO for what is in flight
 * @sk: the socket, locked
 */
void shake_reset_retransmit_timer(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->timer_job = SHAKE_TIMER_RETRANS;
	sk_reset_timer(sk, &ssk->retransmit_timer, jiffies + ssk->rto);
}

/**
 * shake_reset_probe_timer - start the persist timer, with backoff
 * @sk: the socket, locked; nothing in flight, data waiting for a window
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

void shake_clear_retransmit_timer(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->timer_job = SHAKE_TIMER_NONE;
	sk_stop_timer(sk, &ssk->retransmit_timer);
}

static void shake_delack_timer(struct timer_list *t)
{
	struct shake_sock *ssk = from_timer(ssk, t, delack_timer);
	struct sock *sk = &ssk->inet.sk;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		sk_reset_timer(sk, t, jiffies + SHAKE_TIMER_BUSY_RETRY);
	} else if (ssk->ack_pending &&
		   ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_FIN_WAIT1 |
					   TCPF_FIN_WAIT2))) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_DELAYEDACKS);
		shake_send_ack(sk);
	}
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * shake_ack_sent - a segment carrying our ACK left: nothing is pending
 * @sk: the socket, locked
 */
void shake_ack_sent(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (ssk->ack_pending) {
		ssk->ack_pending = 0;
		sk_stop_timer(sk, &ssk->delack_timer);
	}
}

/**
 * shake_schedule_ack - acknowledge received data now or a little later
 * @sk: the socket, locked
 * @len: bytes just received in order
 *
 * RFC 9293 3.8.6.3 and RFC 5681 4.2: at least every second full-sized
 * segment, and within 40 ms.
 */
void shake_schedule_ack(struct sock *sk, u32 len)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->ack_pending += len;
	if (ssk->ack_pending >= 2U * ssk->rcv_mss) {
		shake_send_ack(sk);
		return;
	}
	if (!timer_pending(&ssk->delack_timer))
		sk_reset_timer(sk, &ssk->delack_timer,
			       jiffies + SHAKE_DELACK_TIME);
}

/* Keepalive (RFC 9293 3.8.4): probe an idle connection with an old
 * sequence number; keepalive_probes unanswered ones end it. The same timer
 * ends an orphan that waited too long in FIN_WAIT2.
 */
static void shake_keepalive_timer(struct timer_list *t)
{
	struct sock *sk = from_timer(sk, t, sk_timer);
	struct shake_sock *ssk = shake_sk(sk);
	unsigned long idle, when = ssk->keepalive_time;

	bh_lock_sock(sk);
	if (sock_owned_by_user(sk)) {
		when = SHAKE_TIMER_BUSY_RETRY;
		goto rearm;
	}
	if (sk->sk_state == TCP_FIN_WAIT2 && sock_flag(sk, SOCK_DEAD)) {
		/* fin_timeout: the peer never closed; end silently, as TCP */
		shake_done(sk, 0);
		goto out;
	}
	if (!sock_flag(sk, SOCK_KEEPOPEN) ||
	    !((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		goto out;
	/* data in flight has its own timer to find a dead peer */
	if (ssk->packets_out || ssk->send_head)
		goto rearm;

	idle = jiffies - ssk->rcv_tstamp;
	if (idle >= ssk->keepalive_time) {
		if (ssk->probes_out >= ssk->keepalive_probes) {
			shake_done(sk, sk->sk_err_soft ? : ETIMEDOUT);
			goto out;
		}
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_KEEPALIVEPROBES);
		shake_send_probe(sk);
		ssk->probes_out++;
		when = ssk->keepalive_intvl;
	} else {
		when = ssk->keepalive_time - idle;
	}
rearm:
	sk_reset_timer(sk, &sk->sk_timer, jiffies + when);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

/**
 * shake_keepalive_reset - (re)start or stop the keepalive timer
 * @sk: the socket, locked
 */
void shake_keepalive_reset(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (sock_flag(sk, SOCK_KEEPOPEN) &&
	    ((1 << sk->sk_state) & (TCPF_ESTABLISHED | TCPF_CLOSE_WAIT)))
		sk_reset_timer(sk, &sk->sk_timer,
			       jiffies + ssk->keepalive_time);
	else
		sk_stop_timer(sk, &sk->sk_timer);
}

void shake_init_timers(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	timer_setup(&ssk->retransmit_timer, shake_retransmit_timer, 0);
	timer_setup(&ssk->delack_timer, shake_delack_timer, 0);
	timer_setup(&sk->sk_timer, shake_keepalive_timer, 0);
	ssk->timer_job = SHAKE_TIMER_NONE;
}

void shake_clear_timers(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->timer_job = SHAKE_TIMER_NONE;
	ssk->ack_pending = 0;
	sk_stop_timer(sk, &ssk->retransmit_timer);
	sk_stop_timer(sk, &ssk->delack_timer);
	sk_stop_timer(sk, &sk->sk_timer);
}
