// SPDX-License-Identifier: GPL-2.0
/*
 * shake: timers. A pending timer holds a reference on its socket
 * (sk_reset_timer); the handler drops it.
 */

#include <net/shake.h>

static void shake_retransmit_timer(struct timer_list *t)
{
	struct shake_sock *ssk = from_timer(ssk, t, retransmit_timer);
	struct sock *sk = &ssk->inet.sk;
	int retries;

	bh_lock_sock(sk);
	/* our SYN, or our SYN-ACK of a simultaneous open, is unanswered */
	if (sk->sk_state != TCP_SYN_SENT && sk->sk_state != TCP_SYN_RECV)
		goto out;
	if (sock_owned_by_user(sk)) {
		/* the owner is busy with the socket: come back shortly */
		sk_reset_timer(sk, t, jiffies + HZ / 20);
		goto out;
	}

	retries = READ_ONCE(shake_net(sock_net(sk))->sysctl_syn_retries);
	if (ssk->retransmits >= retries) {
		/* a soft error (ICMP) seen meanwhile says more than a timeout */
		shake_done(sk, sk->sk_err_soft ? : ETIMEDOUT);
		goto out;
	}
	ssk->retransmits++;
	ssk->rto = min(ssk->rto * 2, SHAKE_RTO_MAX);
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_RETRANSSEGS);
	shake_send_syn(sk);
	shake_reset_retransmit_timer(sk);
out:
	bh_unlock_sock(sk);
	sock_put(sk);
}

void shake_init_timers(struct sock *sk)
{
	timer_setup(&shake_sk(sk)->retransmit_timer, shake_retransmit_timer, 0);
}

void shake_reset_retransmit_timer(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	sk_reset_timer(sk, &ssk->retransmit_timer, jiffies + ssk->rto);
}

void shake_clear_timers(struct sock *sk)
{
	sk_stop_timer(sk, &shake_sk(sk)->retransmit_timer);
}
