// SPDX-License-Identifier: GPL-2.0
/*
 * shake: module registration and the socket calls.
 *
 * shake registers itself as an IPv4 protocol (its own IP protocol number)
 * and as the SOCK_STREAM protocol of that number, so that
 * socket(AF_INET, SOCK_STREAM, IPPROTO_SHAKE) reaches it through inet_create.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/net.h>
#include <net/inet_common.h>
#include <net/ip.h>
#include <net/protocol.h>
#include <net/sock.h>
#include <uapi/linux/shake.h>

#include "protocol.h"

int shake_ipproto = IPPROTO_SHAKE;
module_param_named(ipproto, shake_ipproto, int, 0444);
MODULE_PARM_DESC(ipproto, "IP protocol number shake uses (default 253)");

unsigned int shake_net_id __read_mostly;

/* Keepalive defaults, as TCP's */
#define SHAKE_KEEPALIVE_TIME	(7200 * HZ)
#define SHAKE_KEEPALIVE_INTVL	(75 * HZ)
#define SHAKE_KEEPALIVE_PROBES	9

/* The "sockets" column of /proc/net/protocols counts every live socket of
 * the namespace, up to the moment it is freed: a leak shows there.
 */
static void shake_sock_destruct(struct sock *sk)
{
	/* what an abort left: inet_sock_destruct() wants it gone */
	shake_write_queue_purge(sk);
	shake_purge_ooo(sk);
	shake_cong_release(sk);
	inet_sock_destruct(sk);
	sk_sockets_allocated_dec(sk);
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, -1);
}

static int shake_init_sock(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	sk->sk_destruct = shake_sock_destruct;
	sk->sk_write_space = shake_write_space;
	sk->sk_gso_type = SHAKE_GSO_TYPE;
	sk->sk_sndbuf = READ_ONCE(shake_net(sock_net(sk))->sysctl_wmem[1]);
	sk->sk_rcvbuf = READ_ONCE(shake_net(sock_net(sk))->sysctl_rmem[1]);
	ssk->ooo_queue = RB_ROOT;
	ssk->mss_cache = SHAKE_DEFAULT_MSS;
	ssk->rcv_mss = SHAKE_DEFAULT_MSS;
	ssk->rto = SHAKE_TIMEOUT_INIT;
	shake_cong_assign(sk);
	ssk->keepalive_time = SHAKE_KEEPALIVE_TIME;
	ssk->keepalive_intvl = SHAKE_KEEPALIVE_INTVL;
	ssk->keepalive_probes = SHAKE_KEEPALIVE_PROBES;
	/* lookups walk the connection table under RCU only */
	sock_set_flag(sk, SOCK_RCU_FREE);
	shake_init_timers(sk);
	sk_sockets_allocated_inc(sk);
	sock_prot_inuse_add(sock_net(sk), sk->sk_prot, 1);
	return 0;
}

static __poll_t shake_poll(struct file *file, struct socket *sock,
			   poll_table *wait)
{
	struct sock *sk = sock->sk;
	__poll_t mask = 0;
	int state;

	sock_poll_wait(file, sock, wait);
	state = inet_sk_state_load(sk);
	if (state == TCP_LISTEN)
		return READ_ONCE(sk->sk_ack_backlog) ? EPOLLIN | EPOLLRDNORM : 0;
	if (READ_ONCE(sk->sk_shutdown) == SHUTDOWN_MASK || state == TCP_CLOSE)
		mask |= EPOLLHUP;
	if (READ_ONCE(sk->sk_shutdown) & RCV_SHUTDOWN)
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLRDHUP;
	if (state != TCP_SYN_SENT && state != TCP_SYN_RECV) {
		if (shake_inq(sk) >= sock_rcvlowat(sk, 0, INT_MAX))
			mask |= EPOLLIN | EPOLLRDNORM;
		/* a writer after shutdown or reset wakes to see its error */
		if ((READ_ONCE(sk->sk_shutdown) & SEND_SHUTDOWN) ||
		    sk_stream_is_writeable(sk)) {
			mask |= EPOLLOUT | EPOLLWRNORM;
		} else {
			set_bit(SOCK_NOSPACE, &sk->sk_socket->flags);
			/* pairs with the barrier of the ACK path's write-space
			 * check: room freed meanwhile is seen
			 */
			smp_mb__after_atomic();
			if (sk_stream_is_writeable(sk))
				mask |= EPOLLOUT | EPOLLWRNORM;
		}
	}
	/* pairs with the store of sk_err before the wakeup */
	smp_rmb();
	if (READ_ONCE(sk->sk_err))
		mask |= EPOLLERR;
	return mask;
}

struct proto shake_prot = {
	.name			= "SHAKE",
	.owner			= THIS_MODULE,
	.init			= shake_init_sock,
	.close			= shake_close,
	.shutdown		= shake_shutdown,
	.connect		= shake_v4_connect,
	.disconnect		= shake_disconnect,
	.accept			= shake_accept,
	.recvmsg		= shake_recvmsg,
	.sendmsg		= shake_sendmsg,
	.ioctl			= shake_ioctl,
	.keepalive		= shake_set_keepalive,
	.backlog_rcv		= shake_backlog_rcv,
	.release_cb		= shake_release_cb,
	.setsockopt		= shake_setsockopt,
	.getsockopt		= shake_getsockopt,
	.get_port		= shake_get_port,
	.put_port		= shake_put_port,
	.obj_size		= sizeof(struct shake_sock),
	.enter_memory_pressure	= shake_enter_memory_pressure,
	.leave_memory_pressure	= shake_leave_memory_pressure,
	.memory_allocated	= &shake_memory_allocated,
	.per_cpu_fw_alloc	= &shake_memory_per_cpu_fw_alloc,
	.memory_pressure	= &shake_memory_pressure,
	.sockets_allocated	= &shake_sockets_allocated,
	.sysctl_mem		= sysctl_shake_mem,
	/* the per-socket minima under pressure: set to the initial
	 * namespace's rmem[0] and wmem[0] at load
	 */
};

static const struct proto_ops shake_stream_ops = {
	.family		= PF_INET,
	.owner		= THIS_MODULE,
	.release	= inet_release,
	.bind		= inet_bind,
	.connect	= inet_stream_connect,
	.socketpair	= sock_no_socketpair,
	.accept		= inet_accept,
	.getname	= inet_getname,
	.poll		= shake_poll,
	.ioctl		= inet_ioctl,
	.gettstamp	= sock_gettstamp,
	.listen		= shake_listen,
	.shutdown	= inet_shutdown,
	.setsockopt	= sock_common_setsockopt,
	.getsockopt	= sock_common_getsockopt,
	.sendmsg	= inet_sendmsg,
	.recvmsg	= inet_recvmsg,
	.mmap		= sock_no_mmap,
	.sendpage	= sock_no_sendpage,
	.set_rcvlowat	= shake_set_rcvlowat,
};

static struct inet_protosw shake_protosw = {
	.type		= SOCK_STREAM,
	.prot		= &shake_prot,
	.ops		= &shake_stream_ops,
};

static const struct net_protocol shake_protocol = {
	.handler	= shake_rcv,
	.err_handler	= shake_err,
	.no_policy	= 1,
};

static int __net_init shake_net_init(struct net *net)
{
	struct shake_net *sn = shake_net(net);
	int err;

	shake_hashtables_init(sn);
	shake_ratelimit_init(&sn->reset_limit);
	shake_ratelimit_init(&sn->challenge_limit);
	shake_cookie_init_net(sn);
	shake_cong_init_net(sn, net);

	err = shake_mib_init_net(net);
	if (err)
		goto err_cong;
	err = shake_sysctl_init_net(net);
	if (err)
		goto err_mib;
	/* a raw socket of our protocol, unhashed: it only sends */
	err = inet_ctl_sock_create(&sn->ctl_sk, PF_INET, SOCK_RAW,
				   shake_ipproto, net);
	if (err)
		goto err_sysctl;
	err = shake_proc_init_net(net);
	if (err)
		goto err_ctl;
	return 0;

err_ctl:
	inet_ctl_sock_destroy(sn->ctl_sk);
err_sysctl:
	shake_sysctl_exit_net(net);
err_mib:
	shake_mib_exit_net(net);
err_cong:
	shake_cong_exit_net(sn);
	return err;
}

static void __net_exit shake_net_exit(struct net *net)
{
	struct shake_net *sn = shake_net(net);

	shake_tw_purge(net);
	shake_proc_exit_net(net);
	inet_ctl_sock_destroy(sn->ctl_sk);
	shake_sysctl_exit_net(net);
	shake_mib_exit_net(net);
	shake_cong_exit_net(sn);
}

static struct pernet_operations shake_net_ops = {
	.init	= shake_net_init,
	.exit	= shake_net_exit,
	.id	= &shake_net_id,
	.size	= sizeof(struct shake_net),
};

static int __init shake_init(void)
{
	int err;

	if (shake_ipproto <= 0 || shake_ipproto >= IPPROTO_RAW) {
		pr_err("ipproto=%d is not a usable IP protocol number\n",
		       shake_ipproto);
		return -EINVAL;
	}

	shake_isn_init();
	shake_hash_secret_init();

	err = shake_request_cache_init();
	if (err)
		return err;
	err = shake_tw_cache_init();
	if (err)
		goto err_cache;
	err = shake_mem_init();
	if (err)
		goto err_tw_cache;
	err = shake_cong_builtin_init();
	if (err)
		goto err_mem;
	err = proto_register(&shake_prot, 1);
	if (err)
		goto err_cong;

	err = register_pernet_subsys(&shake_net_ops);
	if (err)
		goto err_proto;
	shake_prot.sysctl_rmem = shake_net(&init_net)->sysctl_rmem;
	shake_prot.sysctl_wmem = shake_net(&init_net)->sysctl_wmem;
	err = shake_sysctl_init();
	if (err)
		goto err_pernet;

	/* Fails when another protocol owns the number: nothing is taken over. */
	if (inet_add_protocol(&shake_protocol, shake_ipproto)) {
		pr_err("IP protocol %d is already in use\n", shake_ipproto);
		err = -EBUSY;
		goto err_sysctl;
	}

	err = shake_offload_init();
	if (err)
		goto err_protocol;

	shake_protosw.protocol = shake_ipproto;
	inet_register_protosw(&shake_protosw);
	pr_info("registered as IP protocol %d\n", shake_ipproto);
	return 0;

err_protocol:
	inet_del_protocol(&shake_protocol, shake_ipproto);
err_sysctl:
	shake_sysctl_exit();
err_pernet:
	unregister_pernet_subsys(&shake_net_ops);
err_proto:
	proto_unregister(&shake_prot);
err_cong:
	shake_cong_builtin_exit();
err_mem:
	shake_mem_exit();
err_tw_cache:
	shake_tw_cache_destroy();
err_cache:
	shake_request_cache_destroy();
	return err;
}

static void __exit shake_exit(void)
{
	inet_unregister_protosw(&shake_protosw);
	shake_offload_exit();
	inet_del_protocol(&shake_protocol, shake_ipproto);
	shake_sysctl_exit();
	unregister_pernet_subsys(&shake_net_ops);
	proto_unregister(&shake_prot);
	shake_cong_builtin_exit();
	shake_mem_exit();
	/* requests and TIME_WAIT records are freed after a grace period */
	rcu_barrier();
	shake_tw_cache_destroy();
	shake_request_cache_destroy();
}

module_init(shake_init);
module_exit(shake_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("shake: a TCP-class transport protocol");
/* socket() autoloads net-pf-2-proto-253-type-1; the macro wants numbers */
MODULE_ALIAS_NET_PF_PROTO_TYPE(PF_INET, 253, 1);
