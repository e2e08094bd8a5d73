// SPDX-License-Identifier: GPL-2.0
/*
 * shake: the per-namespace table of local ports, and port allocation.
 *
 * The conflict rules are TCP's, so that programs moving between TCP and
 * shake meet the same bind() results: SO_REUSEADDR lets sockets share an
 * address and port unless one of them listens; SO_REUSEPORT lets sockets
 * of one user share it; a wildcard address overlaps every address.
 */

#include <linux/random.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/shake.h>

void shake_bind_table_init(struct shake_bind_table *tb)
{
	unsigned int i;

	spin_lock_init(&tb->lock);
	for (i = 0; i < SHAKE_BIND_HASH_SIZE; i++)
		INIT_HLIST_HEAD(&tb->chains[i]);
}

static struct hlist_head *shake_bind_chain(struct shake_bind_table *tb,
					   unsigned short port)
{
	return &tb->chains[port & (SHAKE_BIND_HASH_SIZE - 1)];
}

static bool shake_bound_dev_overlap(const struct sock *sk,
				    const struct sock *sk2)
{
	int dev = READ_ONCE(sk->sk_bound_dev_if);
	int dev2 = READ_ONCE(sk2->sk_bound_dev_if);

	return !dev || !dev2 || dev == dev2;
}

/* @relax is true for an explicit port, where SO_REUSEADDR and SO_REUSEPORT
 * allow sharing; an ephemeral port is only handed out when nobody else
 * holds it on an overlapping address.
 */
static bool shake_sk_conflict(const struct sock *sk, const struct sock *sk2,
			      bool relax)
{
	if (!shake_bound_dev_overlap(sk, sk2) ||
	    !inet_rcv_saddr_equal(sk, sk2, true))
		return false;
	if (!relax)
		return true;
	if (sk->sk_reuse && sk2->sk_reuse && sk2->sk_state != TCP_LISTEN)
		return false;
	if (sk->sk_reuseport && sk2->sk_reuseport &&
	    uid_eq(sock_i_uid((struct sock *)sk), sock_i_uid((struct sock *)sk2)))
		return false;
	return true;
}

static bool shake_port_conflict(struct shake_bind_table *tb,
				const struct sock *sk, unsigned short port,
				bool relax)
{
	struct sock *sk2;

	sk_for_each_bound(sk2, shake_bind_chain(tb, port)) {
		if (sk2 != sk && inet_sk(sk2)->inet_num == port &&
		    shake_sk_conflict(sk, sk2, relax))
			return true;
	}
	return false;
}

/* Choose a port for bind() with port 0 from ip_local_port_range. Like TCP,
 * bind() takes ports of the parity opposite to the range's low end first,
 * leaving the other half to connect(). Returns 0 when every port is taken.
 */
static unsigned short shake_pick_port(struct shake_bind_table *tb,
				      const struct sock *sk)
{
	struct net *net = sock_net(sk);
	int low, high, port;
	u32 remaining, offset, i;

	inet_sk_get_local_port_range(sk, &low, &high);
	high++;
	remaining = high - low;
	if (remaining > 1)
		remaining &= ~1U;
	offset = get_random_u32_below(remaining) | 1U;

	do {
		port = low + offset;
		for (i = 0; i < remaining; i += 2, port += 2) {
			if (port >= high)
				port -= remaining;
			if (inet_is_local_reserved_port(net, port))
				continue;
			if (!shake_port_conflict(tb, sk, port, false))
				return port;
		}
		offset--;
	} while (!(offset & 1));

	return 0;
}

/**
 * shake_get_port - take a local port for a socket (struct proto.get_port)
 * @sk: the socket, with inet_rcv_saddr already set by inet_bind()
 * @snum: the requested port, or 0 for an ephemeral one
 *
 * On success the socket is in its namespace's port table and inet_num holds
 * the port.
 *
 * Return: 0, or -EADDRINUSE when the port conflicts or none is free.
 */
int shake_get_port(struct sock *sk, unsigned short snum)
{
	struct shake_bind_table *tb = &shake_net(sock_net(sk))->bind;
	int err = -EADDRINUSE;

	spin_lock_bh(&tb->lock);
	if (!snum)
		snum = shake_pick_port(tb, sk);
	else if (shake_port_conflict(tb, sk, snum, true))
		snum = 0;
	if (snum) {
		inet_sk(sk)->inet_num = snum;
		sk_add_bind_node(sk, shake_bind_chain(tb, snum));
		err = 0;
	}
	spin_unlock_bh(&tb->lock);
	return err;
}

/**
 * shake_put_port - give a socket's local port back (struct proto.put_port)
 * @sk: the socket; harmless if it holds no port
 */
void shake_put_port(struct sock *sk)
{
	struct shake_bind_table *tb = &shake_net(sock_net(sk))->bind;

	spin_lock_bh(&tb->lock);
	if (!hlist_unhashed(&sk->sk_bind_node))
		hlist_del_init(&sk->sk_bind_node);
	inet_sk(sk)->inet_num = 0;
	spin_unlock_bh(&tb->lock);
}
