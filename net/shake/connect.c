// SPDX-License-Identifier: GPL-2.0
/*
 * shake: active open (connect()): route, port, ISN, the SYN. The rest of
 * the exchange is handshake.c's (shake_syn_sent_rcv()).
 */

#include <net/ip.h>
#include <net/route.h>

#include "protocol.h"

/**
 * shake_v4_connect - start an active open (struct proto.connect)
 * @sk: the socket, locked, in CLOSE
 * @uaddr: the peer's address
 * @addr_len: its length
 *
 * Routes to the peer, takes an ephemeral port if the socket has none,
 * enters the connection table, chooses the ISN and sends the SYN.
 * inet_stream_connect() does the waiting.
 *
 * Return: 0, or a negative errno as TCP's connect() gives it.
 */
int shake_v4_connect(struct sock *sk, struct sockaddr *uaddr, int addr_len)
{
	struct sockaddr_in *usin = (struct sockaddr_in *)uaddr;
	struct inet_sock *inet = inet_sk(sk);
	struct shake_sock *ssk = shake_sk(sk);
	__be16 orig_sport, orig_dport;
	struct flowi4 *fl4;
	struct rtable *rt;
	int err;

	if (addr_len < sizeof(struct sockaddr_in))
		return -EINVAL;
	if (usin->sin_family != AF_INET)
		return -EAFNOSUPPORT;

	orig_sport = inet->inet_sport;
	orig_dport = usin->sin_port;
	fl4 = &inet->cork.fl.u.ip4;
	rt = ip_route_connect(fl4, usin->sin_addr.s_addr, inet->inet_saddr,
			      sk->sk_bound_dev_if, sk->sk_protocol,
			      orig_sport, orig_dport, sk);
	if (IS_ERR(rt))
		return PTR_ERR(rt);
	if (rt->rt_flags & (RTCF_MULTICAST | RTCF_BROADCAST)) {
		ip_rt_put(rt);
		return -ENETUNREACH;
	}

	if (!inet->inet_saddr)
		inet->inet_saddr = fl4->saddr;
	if (!inet->inet_rcv_saddr)
		inet->inet_rcv_saddr = inet->inet_saddr;
	inet->inet_dport = usin->sin_port;
	inet->inet_daddr = usin->sin_addr.s_addr;

	shake_set_state(sk, TCP_SYN_SENT);
	if (!inet->inet_num)
		err = shake_connect_port(sk);
	else
		err = shake_ehash_insert(sk);
	if (err)
		goto failure;

	rt = ip_route_newports(fl4, rt, orig_sport, orig_dport,
			       inet->inet_sport, inet->inet_dport, sk);
	if (IS_ERR(rt)) {
		err = PTR_ERR(rt);
		rt = NULL;
		goto failure;
	}
	sk_setup_caps(sk, &rt->dst);
	rt = NULL;

	ssk->iss = shake_isn(inet->inet_saddr, inet->inet_daddr,
			     inet->inet_sport, inet->inet_dport);
	ssk->snd_una = ssk->iss;
	ssk->snd_nxt = ssk->iss + 1;
	ssk->write_seq = ssk->snd_nxt;
	ssk->rcv_nxt = 0;
	ssk->copied_seq = 0;
	shake_syn_opts_offer(sk, &ssk->opt, inet->inet_saddr, inet->inet_daddr);
	shake_reset_transfer(ssk);
	atomic_set(&inet->inet_id, get_random_u16());
	WRITE_ONCE(sk->sk_err, 0);
	sk->sk_err_soft = 0;

	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_ACTIVEOPENS);
	shake_send_syn(sk);
	shake_reset_retransmit_timer(sk);
	return 0;

failure:
	shake_set_state(sk, TCP_CLOSE);
	if (!inet->inet_num)
		inet->inet_sport = 0;
	ip_rt_put(rt);
	sk->sk_route_caps = 0;
	inet->inet_dport = 0;
	inet->inet_daddr = 0;
	return err;
}
