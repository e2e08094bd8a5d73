// SPDX-License-Identifier: GPL-2.0
/*
 * shake: socket options and ioctls. The options of level SOL_SHAKE carry
 * TCP's numbers and are accepted at level IPPROTO_TCP too, with TCP's
 * ranges and errors, so programs written for TCP work unchanged.
 */

#include <asm/ioctls.h>
#include <linux/capability.h>
#include <linux/sockios.h>
#include <linux/uaccess.h>
#include <net/ip.h>
#include <uapi/linux/shake.h>

#include "protocol.h"

/* TCP's bounds (include/net/tcp.h) */
#define SHAKE_MAX_WINDOW_MSS	32767
#define SHAKE_MAX_KEEPIDLE	32767
#define SHAKE_MAX_KEEPINTVL	32767
#define SHAKE_MAX_KEEPCNT	127

static bool shake_level(int level)
{
	return level == SOL_TCP || level == SOL_SHAKE;
}

/**
 * shake_set_keepalive - SO_KEEPALIVE changed (struct proto.keepalive)
 * @sk: the socket, locked
 * @val: the new value; SOCK_KEEPOPEN still holds the old one
 */
void shake_set_keepalive(struct sock *sk, int val)
{
	if ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN))
		return;
	if (val && !sock_flag(sk, SOCK_KEEPOPEN))
		sk_reset_timer(sk, &sk->sk_timer,
			       jiffies + shake_sk(sk)->keepalive_time);
	else if (!val)
		sk_stop_timer(sk, &sk->sk_timer);
}

/**
 * shake_set_rcvlowat - SO_RCVLOWAT (struct proto_ops.set_rcvlowat)
 * @sk: the socket, locked
 * @val: bytes a reader wants before it wakes
 *
 * As TCP: capped at half what the receive buffer is or may grow to, and
 * an unlocked buffer grows so that the window can bring that much.
 *
 * Return: 0.
 */
int shake_set_rcvlowat(struct sock *sk, int val)
{
	bool locked = sk->sk_userlocks & SOCK_RCVBUF_LOCK;
	int cap = locked ? READ_ONCE(sk->sk_rcvbuf) >> 1 :
		  READ_ONCE(shake_net(sock_net(sk))->sysctl_rmem[2]) >> 1;

	val = min(val, cap);
	WRITE_ONCE(sk->sk_rcvlowat, val ? : 1);
	if (!locked && 2 * val > READ_ONCE(sk->sk_rcvbuf))
		WRITE_ONCE(sk->sk_rcvbuf, 2 * val);
	return 0;
}

static int shake_setsockopt_locked(struct sock *sk, int optname, int val)
{
	struct shake_sock *ssk = shake_sk(sk);

	switch (optname) {
	case SHAKE_NODELAY:
		ssk->nodelay = !!val;
		if (val)
			shake_push(sk, false);
		return 0;
	case SHAKE_CORK:
		ssk->cork = !!val;
		if (!val)
			shake_push(sk, false);
		return 0;
	case SHAKE_MAXSEG:
		if (val && (val < SHAKE_MIN_MSS || val > SHAKE_MAX_WINDOW_MSS))
			return -EINVAL;
		ssk->user_mss = val;
		return 0;
	case SHAKE_KEEPIDLE:
		if (val < 1 || val > SHAKE_MAX_KEEPIDLE)
			return -EINVAL;
		ssk->keepalive_time = val * HZ;
		if (sock_flag(sk, SOCK_KEEPOPEN))
			shake_keepalive_reset(sk);
		return 0;
	case SHAKE_KEEPINTVL:
		if (val < 1 || val > SHAKE_MAX_KEEPINTVL)
			return -EINVAL;
		ssk->keepalive_intvl = val * HZ;
		return 0;
	case SHAKE_KEEPCNT:
		if (val < 1 || val > SHAKE_MAX_KEEPCNT)
			return -EINVAL;
		ssk->keepalive_probes = val;
		return 0;
	default:
		return -ENOPROTOOPT;
	}
}

/* TCP_CONGESTION: a name of at most 15 bytes, the rest ignored, as TCP's */
static int shake_set_congestion(struct sock *sk, sockptr_t optval,
				unsigned int optlen)
{
	char name[SHAKE_CA_NAME_MAX];
	long len;
	int err;

	if (optlen < 1)
		return -EINVAL;
	len = strncpy_from_sockptr(name, optval,
				   min_t(long, SHAKE_CA_NAME_MAX - 1, optlen));
	if (len < 0)
		return -EFAULT;
	name[len] = '\0';

	lock_sock(sk);
	err = shake_cong_set(sk, name,
			     ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN));
	release_sock(sk);
	return err;
}

/* struct proto.setsockopt */
int shake_setsockopt(struct sock *sk, int level, int optname,
		     sockptr_t optval, unsigned int optlen)
{
	int val, err;

	if (level == SOL_IP)
		return ip_setsockopt(sk, level, optname, optval, optlen);
	if (!shake_level(level))
		return -ENOPROTOOPT;
	if (optname == SHAKE_CONGESTION)
		return shake_set_congestion(sk, optval, optlen);
	if (optlen < sizeof(int))
		return -EINVAL;
	if (copy_from_sockptr(&val, optval, sizeof(val)))
		return -EFAULT;

	lock_sock(sk);
	err = shake_setsockopt_locked(sk, optname, val);
	release_sock(sk);
	return err;
}

/* SHAKE_CA_* as TCP_INFO numbers them (enum tcp_ca_state) */
static const u8 shake_info_ca_state[] = {
	[SHAKE_CA_OPEN]		= 0,
	[SHAKE_CA_RECOVERY]	= 3,
	[SHAKE_CA_LOSS]		= 4,
};

/**
 * shake_get_info - fill struct shake_info (SHAKE_INFO)
 * @sk: the socket, locked
 * @info: zeroed by the caller
 */
static void shake_get_info(struct sock *sk, struct shake_info *info)
{
	struct shake_sock *ssk = shake_sk(sk);

	info->state = sk->sk_state;
	if (ssk->opt.tstamp_ok)
		info->options |= SHAKE_INFO_OPT_TIMESTAMPS;
	if (ssk->opt.sack_ok)
		info->options |= SHAKE_INFO_OPT_SACK;
	if (ssk->opt.wscale_ok)
		info->options |= SHAKE_INFO_OPT_WSCALE;
	info->snd_wscale = ssk->opt.snd_wscale;
	info->rcv_wscale = ssk->opt.rcv_wscale;
	info->retransmits = ssk->retransmits;
	info->total_retrans = ssk->total_retrans;
	info->rto = jiffies_to_usecs(ssk->rto);
	info->srtt = ssk->srtt_us;
	info->rttvar = ssk->rttvar_us;
	info->snd_mss = ssk->mss_cache;
	info->rcv_mss = ssk->rcv_mss;
	info->snd_cwnd = ssk->cwnd;
	info->snd_ssthresh = ssk->ssthresh;
	info->snd_wnd = ssk->snd_wnd;
	info->rcv_wnd = ssk->rcv_wnd;
	info->bytes_sent = ssk->bytes_sent;
	info->bytes_acked = ssk->bytes_acked;
	info->bytes_received = ssk->bytes_received;
	info->unacked = ssk->packets_out;
	info->sacked = ssk->sacked_out;
	info->lost = ssk->lost_out;
	info->retrans = ssk->retrans_out;
	info->reordering = ssk->reordering;
	info->rcv_ooopack = ssk->rcv_ooopack;
	info->ca_state = shake_info_ca_state[ssk->ca_state];
	info->rcv_space = ssk->rcvq_space.space;
	strscpy(info->congestion, ssk->cong_ops->name,
		sizeof(info->congestion));
}

/* struct proto.getsockopt */
int shake_getsockopt(struct sock *sk, int level, int optname,
		     char __user *optval, int __user *optlen)
{
	struct shake_sock *ssk = shake_sk(sk);
	int len, val;

	if (level == SOL_IP)
		return ip_getsockopt(sk, level, optname, optval, optlen);
	if (!shake_level(level))
		return -ENOPROTOOPT;
	if (get_user(len, optlen))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;

	/* TCP_INFO has the same number: a TCP program must not misread ours */
	if (optname == SHAKE_INFO && level == SOL_SHAKE) {
		struct shake_info info = {};

		lock_sock(sk);
		shake_get_info(sk, &info);
		release_sock(sk);
		len = min_t(unsigned int, len, sizeof(info));
		if (put_user(len, optlen) || copy_to_user(optval, &info, len))
			return -EFAULT;
		return 0;
	}

	if (optname == SHAKE_CONGESTION) {
		len = min_t(unsigned int, len, SHAKE_CA_NAME_MAX);
		if (put_user(len, optlen) ||
		    copy_to_user(optval, ssk->cong_ops->name, len))
			return -EFAULT;
		return 0;
	}

	switch (optname) {
	case SHAKE_NODELAY:
		val = ssk->nodelay;
		break;
	case SHAKE_CORK:
		val = ssk->cork;
		break;
	case SHAKE_MAXSEG:
		val = ssk->mss_cache;
		if (ssk->user_mss &&
		    ((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
			val = ssk->user_mss;
		break;
	case SHAKE_KEEPIDLE:
		val = ssk->keepalive_time / HZ;
		break;
	case SHAKE_KEEPINTVL:
		val = ssk->keepalive_intvl / HZ;
		break;
	case SHAKE_KEEPCNT:
		val = ssk->keepalive_probes;
		break;
	default:
		return -ENOPROTOOPT;
	}
	len = min_t(unsigned int, len, sizeof(int));
	if (put_user(len, optlen) || copy_to_user(optval, &val, len))
		return -EFAULT;
	return 0;
}

/**
 * shake_ioctl - the queue-size ioctls (struct proto.ioctl)
 * @sk: the socket
 * @cmd: SIOCINQ (FIONREAD), SIOCATMARK, SIOCOUTQ, SIOCOUTQNSD
 * @arg: user pointer to an int
 *
 * Return: 0, -EINVAL on a listener, -ENOIOCTLCMD for other commands.
 */
int shake_ioctl(struct sock *sk, int cmd, unsigned long arg)
{
	struct shake_sock *ssk = shake_sk(sk);
	int answ;

	switch (cmd) {
	case SIOCINQ:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		answ = shake_inq(sk);
		release_sock(sk);
		break;
	case SIOCATMARK:
		answ = 0;	/* no urgent data, ever */
		break;
	case SIOCOUTQ:
	case SIOCOUTQNSD:
		if (sk->sk_state == TCP_LISTEN)
			return -EINVAL;
		lock_sock(sk);
		if ((1 << sk->sk_state) & (TCPF_SYN_SENT | TCPF_SYN_RECV))
			answ = 0;
		else if (cmd == SIOCOUTQ)
			answ = ssk->write_seq - ssk->snd_una;
		else
			answ = ssk->write_seq - ssk->snd_nxt;
		release_sock(sk);
		break;
	default:
		return -ENOIOCTLCMD;
	}
	return put_user(answ, (int __user *)arg);
}
