// SPDX-License-Identifier: GPL-2.0
/*
 * shake: the per-namespace table of local ports, and port allocation.
 *
 * The conflict rules are TCP's, so that programs moving between TCP and
 * shake meet the same bind() results: SO_REUSEADDR lets sockets share an
 * address and port unless one of them listens; SO_REUSEPORT lets sockets
 * of one user share it; a wildcard address overlaps every address.
 */

#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/shake.h>

static u32 shake_hash_secret __read_mostly;

void shake_hash_secret_init(void)
{
	shake_hash_secret = get_random_u32();
}

void shake_hashtables_init(struct shake_net *sn)
{
	unsigned int i;

	spin_lock_init(&sn->bind.lock);
	for (i = 0; i < SHAKE_BIND_HASH_SIZE; i++)
		INIT_HLIST_HEAD(&sn->bind.chains[i]);
	spin_lock_init(&sn->ehash.lock);
	for (i = 0; i < SHAKE_EHASH_SIZE; i++)
		INIT_HLIST_HEAD(&sn->ehash.chains[i]);
	spin_lock_init(&sn->lhash.lock);
	for (i = 0; i < SHAKE_LHASH_SIZE; i++)
		INIT_HLIST_HEAD(&sn->lhash.chains[i]);
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
 * shake_listen_port_check - may a bound socket listen on its port?
 * @sk: the socket, now in LISTEN
 *
 * TCP's rule: sharing a port through SO_REUSEADDR stops where one of the
 * sharers listens; SO_REUSEPORT sharing goes on.
 *
 * Return: 0, or -EADDRINUSE.
 */
int shake_listen_port_check(struct sock *sk)
{
	struct shake_bind_table *tb = &shake_net(sock_net(sk))->bind;
	unsigned short port = inet_sk(sk)->inet_num;
	struct sock *sk2;
	int err = 0;

	spin_lock_bh(&tb->lock);
	sk_for_each_bound(sk2, shake_bind_chain(tb, port)) {
		if (sk2 == sk || inet_sk(sk2)->inet_num != port ||
		    !shake_bound_dev_overlap(sk, sk2) ||
		    !inet_rcv_saddr_equal(sk, sk2, true))
			continue;
		if (sk->sk_reuseport && sk2->sk_reuseport &&
		    uid_eq(sock_i_uid(sk), sock_i_uid(sk2)))
			continue;
		if (sk->sk_reuse && sk2->sk_reuse &&
		    sk2->sk_state != TCP_LISTEN)
			continue;
		err = -EADDRINUSE;
		break;
	}
	spin_unlock_bh(&tb->lock);
	return err;
}

/**
 * shake_inherit_port - a listener's child takes the listener's port
 * @child: the new child, with inet_num copied from the listener
 */
void shake_inherit_port(struct sock *child)
{
	struct shake_bind_table *tb = &shake_net(sock_net(child))->bind;

	spin_lock_bh(&tb->lock);
	sk_add_bind_node(child, shake_bind_chain(tb, inet_sk(child)->inet_num));
	spin_unlock_bh(&tb->lock);
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

/**
 * shake_hash_4tuple - hash of a connection's addresses and ports
 * @laddr: local address
 * @lport: local port
 * @raddr: remote address
 * @rport: remote port
 *
 * Keyed with a secret chosen at load, so that a remote peer cannot aim
 * many connections or requests at one chain.
 *
 * Return: the hash.
 */
u32 shake_hash_4tuple(__be32 laddr, __be16 lport, __be32 raddr, __be16 rport)
{
	return jhash_3words((__force u32)laddr, (__force u32)raddr,
			    ((__force u32)lport << 16) | (__force u32)rport,
			    shake_hash_secret);
}

static struct hlist_head *shake_ehash_chain(struct shake_ehash *eh,
					    __be32 laddr, __be16 lport,
					    __be32 raddr, __be16 rport)
{
	u32 h = shake_hash_4tuple(laddr, lport, raddr, rport);

	return &eh->chains[h & (SHAKE_EHASH_SIZE - 1)];
}

static bool shake_ehash_match(const struct sock *sk, __be32 laddr,
			      __be16 lport, __be32 raddr, __be16 rport)
{
	const struct inet_sock *inet = inet_sk(sk);

	return inet->inet_rcv_saddr == laddr && inet->inet_sport == lport &&
	       inet->inet_daddr == raddr && inet->inet_dport == rport;
}

/**
 * shake_ehash_insert - make a connecting socket findable by its 4-tuple
 * @sk: the socket, with addresses and ports set
 *
 * Return: 0, or -EADDRNOTAVAIL if another socket has the same 4-tuple.
 */
int shake_ehash_insert(struct sock *sk)
{
	struct shake_ehash *eh = &shake_net(sock_net(sk))->ehash;
	const struct inet_sock *inet = inet_sk(sk);
	struct hlist_head *chain;
	struct sock *sk2;
	int err = 0;

	chain = shake_ehash_chain(eh, inet->inet_rcv_saddr, inet->inet_sport,
				  inet->inet_daddr, inet->inet_dport);
	spin_lock_bh(&eh->lock);
	sk_for_each(sk2, chain) {
		if (shake_ehash_match(sk2, inet->inet_rcv_saddr,
				      inet->inet_sport, inet->inet_daddr,
				      inet->inet_dport)) {
			err = -EADDRNOTAVAIL;
			goto out;
		}
	}
	sk_add_node_rcu(sk, chain);
out:
	spin_unlock_bh(&eh->lock);
	return err;
}

void shake_ehash_remove(struct sock *sk)
{
	struct shake_ehash *eh = &shake_net(sock_net(sk))->ehash;

	spin_lock_bh(&eh->lock);
	sk_del_node_init_rcu(sk);
	spin_unlock_bh(&eh->lock);
}

/**
 * shake_ehash_lookup - find the connection a segment belongs to
 * @net: the namespace the segment arrived in
 * @saddr: segment source address (the remote end)
 * @sport: segment source port
 * @daddr: segment destination address (the local end)
 * @dport: segment destination port
 *
 * Called under rcu_read_lock(); sockets are freed after a grace period
 * (SOCK_RCU_FREE), so the walk is safe against concurrent removal.
 *
 * Return: the socket with a reference taken, or NULL.
 */
struct sock *shake_ehash_lookup(struct net *net, __be32 saddr, __be16 sport,
				__be32 daddr, __be16 dport)
{
	struct shake_ehash *eh = &shake_net(net)->ehash;
	struct sock *sk;

	sk_for_each_rcu(sk, shake_ehash_chain(eh, daddr, dport, saddr, sport)) {
		if (!shake_ehash_match(sk, daddr, dport, saddr, sport) ||
		    !refcount_inc_not_zero(&sk->sk_refcnt))
			continue;
		/* it may have been disconnected since the match */
		if (shake_ehash_match(sk, daddr, dport, saddr, sport))
			return sk;
		sock_put(sk);
	}
	return NULL;
}

static struct hlist_head *shake_lhash_chain(struct shake_lhash *lh, u16 port)
{
	return &lh->chains[port & (SHAKE_LHASH_SIZE - 1)];
}

void shake_lhash_insert(struct sock *sk)
{
	struct shake_lhash *lh = &shake_net(sock_net(sk))->lhash;

	spin_lock_bh(&lh->lock);
	sk_add_node_rcu(sk, shake_lhash_chain(lh, inet_sk(sk)->inet_num));
	spin_unlock_bh(&lh->lock);
}

void shake_lhash_remove(struct sock *sk)
{
	struct shake_lhash *lh = &shake_net(sock_net(sk))->lhash;

	spin_lock_bh(&lh->lock);
	sk_del_node_init_rcu(sk);
	spin_unlock_bh(&lh->lock);
}

/**
 * shake_lhash_lookup - the listener a SYN to daddr:dport goes to
 * @net: the namespace
 * @daddr: the segment's destination address
 * @dport: its destination port
 * @dif: the device it came in on
 *
 * A listener bound to the address wins over a wildcard one. Called under
 * rcu_read_lock().
 *
 * Return: the listener with a reference taken, or NULL.
 */
struct sock *shake_lhash_lookup(struct net *net, __be32 daddr, __be16 dport,
				int dif)
{
	struct shake_lhash *lh = &shake_net(net)->lhash;
	u16 port = ntohs(dport);
	struct sock *sk, *best = NULL;
	int score, best_score = 0;

	sk_for_each_rcu(sk, shake_lhash_chain(lh, port)) {
		const struct inet_sock *inet = inet_sk(sk);
		int bound_dev = READ_ONCE(sk->sk_bound_dev_if);

		if (inet->inet_num != port || (bound_dev && bound_dev != dif))
			continue;
		if (inet->inet_rcv_saddr == daddr)
			score = 2;
		else if (!inet->inet_rcv_saddr)
			score = 1;
		else
			continue;
		if (score > best_score) {
			best = sk;
			best_score = score;
		}
	}
	if (best && !refcount_inc_not_zero(&best->sk_refcnt))
		best = NULL;
	return best;
}
