// SPDX-License-Identifier: GPL-2.0
/*
 * shake: the per-namespace table of local ports, and port allocation.
 *
 * The conflict rules are TCP's, so that programs moving between TCP and
 * shake meet the same bind() results: SO_REUSEADDR lets sockets share an
 * address and port unless one of them listens; SO_REUSEPORT lets sockets
 * of one user share it; a wildcard address overlaps every address.
 * A connection in TIME_WAIT keeps its port through its record, as TCP's
 * TIME_WAIT socket does.
 */

#include <linux/jhash.h>
#include <linux/random.h>
#include <linux/rculist.h>
#include <net/addrconf.h>
#include <net/ip.h>

#include "records.h"

static u32 shake_hash_secret __read_mostly;

void shake_hash_secret_init(void)
{
	shake_hash_secret = get_random_u32();
}

void shake_hashtables_init(struct shake_net *sn)
{
	unsigned int i;

	spin_lock_init(&sn->bind.lock);
	for (i = 0; i < SHAKE_BIND_HASH_SIZE; i++) {
		INIT_HLIST_HEAD(&sn->bind.chains[i]);
		INIT_HLIST_HEAD(&sn->bind.tw_chains[i]);
	}
	spin_lock_init(&sn->ehash.lock);
	for (i = 0; i < SHAKE_EHASH_SIZE; i++) {
		INIT_HLIST_HEAD(&sn->ehash.chains[i]);
		INIT_HLIST_HEAD(&sn->ehash.tw_chains[i]);
	}
	spin_lock_init(&sn->lhash.lock);
	for (i = 0; i < SHAKE_LHASH_SIZE; i++)
		INIT_HLIST_HEAD(&sn->lhash.chains[i]);
}

static unsigned int shake_bind_slot(unsigned short port)
{
	return port & (SHAKE_BIND_HASH_SIZE - 1);
}

static struct hlist_head *shake_bind_chain(struct shake_bind_table *tb,
					   unsigned short port)
{
	return &tb->chains[shake_bind_slot(port)];
}

/* Do @sk's binding and another holder's (device @dev2, address @addr2) of
 * the same port overlap? An unbound device or a wildcard address overlaps
 * every other.
 */
static bool shake_binding_overlap(const struct sock *sk, int dev2,
				  __be32 addr2)
{
	int dev = READ_ONCE(sk->sk_bound_dev_if);
	__be32 addr = sk->sk_rcv_saddr;

	return (!dev || !dev2 || dev == dev2) &&
	       (!addr || !addr2 || addr == addr2);
}

/* @relax is true for an explicit port, where SO_REUSEADDR and SO_REUSEPORT
 * allow sharing; an ephemeral port is only handed out when nobody else
 * holds it on an overlapping address.
 */
static bool shake_sk_conflict(const struct sock *sk, const struct sock *sk2,
			      bool relax)
{
	if (!shake_binding_overlap(sk, READ_ONCE(sk2->sk_bound_dev_if),
				   sk2->sk_rcv_saddr))
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

/* The same rules against a TIME_WAIT record, with the options its socket
 * had: a record never listens, and TCP shares a port with a TIME_WAIT
 * holder through SO_REUSEPORT whoever owned it (there is no uid to match).
 */
static bool shake_tw_conflict(const struct sock *sk, const struct shake_tw *tw,
			      bool relax)
{
	if (!shake_binding_overlap(sk, tw->bound_dev_if, tw->addrs.laddr))
		return false;
	if (!relax)
		return true;
	return !(sk->sk_reuse && tw->reuse) &&
	       !(sk->sk_reuseport && tw->reuseport);
}

static bool shake_port_conflict(struct shake_bind_table *tb,
				const struct sock *sk, unsigned short port,
				bool relax)
{
	const struct shake_tw *tw;
	struct sock *sk2;

	sk_for_each_bound(sk2, shake_bind_chain(tb, port)) {
		if (sk2 != sk && inet_sk(sk2)->inet_num == port &&
		    shake_sk_conflict(sk, sk2, relax))
			return true;
	}
	hlist_for_each_entry(tw, &tb->tw_chains[shake_bind_slot(port)],
			     bind_node) {
		if (ntohs(tw->addrs.lport) == port &&
		    shake_tw_conflict(sk, tw, relax))
			return true;
	}
	return false;
}

/* Try the ports of ip_local_port_range from a random one, those of one
 * parity first, until @take takes one. Like TCP, bind() starts with the
 * parity opposite to the range's low end and connect() with the other,
 * so that each mostly keeps to its own half. Returns the port, or 0.
 */
static unsigned short shake_walk_ports(struct sock *sk, bool odd_first,
				       bool (*take)(struct sock *sk,
						    unsigned short port))
{
	struct net *net = sock_net(sk);
	int low, high, port;
	u32 remaining, offset, i;

	inet_sk_get_local_port_range(sk, &low, &high);
	high++;
	remaining = high - low;
	if (remaining > 1)
		remaining &= ~1U;
	offset = get_random_u32_below(remaining);
	offset = odd_first ? offset | 1U : offset & ~1U;

	for (;;) {
		port = low + offset;
		for (i = 0; i < remaining; i += 2, port += 2) {
			if (port >= high)
				port -= remaining;
			if (!inet_is_local_reserved_port(net, port) &&
			    take(sk, port))
				return port;
		}
		if ((offset & 1) != odd_first)
			return 0;	/* both parities tried */
		offset ^= 1;
	}
}

/* bind() to port 0: a port nobody holds on an overlapping address */
static bool shake_take_free_port(struct sock *sk, unsigned short port)
{
	struct shake_bind_table *tb = &shake_net(sock_net(sk))->bind;
	bool free;

	spin_lock_bh(&tb->lock);
	free = !shake_port_conflict(tb, sk, port, false);
	if (free) {
		inet_sk(sk)->inet_num = port;
		sk_add_bind_node(sk, shake_bind_chain(tb, port));
	}
	spin_unlock_bh(&tb->lock);
	return free;
}

/* Is every holder of @port with a binding overlapping @sk's, socket or
 * TIME_WAIT record, one whose port connect() chose?
 */
static bool shake_port_shareable(struct shake_bind_table *tb,
				 const struct sock *sk, unsigned short port)
{
	const struct shake_tw *tw;
	struct sock *sk2;

	sk_for_each_bound(sk2, shake_bind_chain(tb, port)) {
		if (inet_sk(sk2)->inet_num == port && !shake_sk(sk2)->autoport &&
		    shake_binding_overlap(sk, READ_ONCE(sk2->sk_bound_dev_if),
					  sk2->sk_rcv_saddr))
			return false;
	}
	hlist_for_each_entry(tw, &tb->tw_chains[shake_bind_slot(port)],
			     bind_node) {
		if (ntohs(tw->addrs.lport) == port && !tw->autoport &&
		    shake_binding_overlap(sk, tw->bound_dev_if, tw->addrs.laddr))
			return false;
	}
	return true;
}

/* connect(): a port shared only with other connect()ed sockets, and a
 * 4-tuple that no connection holds (or a TIME_WAIT record gives up)
 */
static bool shake_take_connect_port(struct sock *sk, unsigned short port)
{
	struct shake_bind_table *tb = &shake_net(sock_net(sk))->bind;
	bool shareable;

	spin_lock_bh(&tb->lock);
	shareable = shake_port_shareable(tb, sk, port);
	if (shareable) {
		inet_sk(sk)->inet_num = port;
		sk_add_bind_node(sk, shake_bind_chain(tb, port));
	}
	spin_unlock_bh(&tb->lock);
	if (!shareable)
		return false;
	shake_sk(sk)->autoport = 1;
	inet_sk(sk)->inet_sport = htons(port);
	if (!shake_ehash_insert(sk))
		return true;
	shake_put_port(sk);
	inet_sk(sk)->inet_sport = 0;
	return false;
}

/**
 * shake_connect_port - choose the local port of a connecting socket
 * @sk: the socket, unbound, with its addresses and remote port set
 *
 * As TCP's connect(): a port may serve several connections to different
 * destinations; a 4-tuple in TIME_WAIT is taken over only as sysctl
 * tw_reuse allows (shake_tw_reusable()). On success the socket holds the
 * port and is in the connection table.
 *
 * Return: 0, or -EADDRNOTAVAIL when no port will do.
 */
int shake_connect_port(struct sock *sk)
{
	return shake_walk_ports(sk, false, shake_take_connect_port) ?
	       0 : -EADDRNOTAVAIL;
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

	if (!snum)
		return shake_walk_ports(sk, true, shake_take_free_port) ?
		       0 : -EADDRINUSE;

	spin_lock_bh(&tb->lock);
	if (!shake_port_conflict(tb, sk, snum, true)) {
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
 * sharers listens; SO_REUSEPORT sharing goes on. These are bind()'s rules
 * for an explicit port, checked again now that @sk listens, as TCP's
 * listen() does.
 *
 * Return: 0, or -EADDRINUSE.
 */
int shake_listen_port_check(struct sock *sk)
{
	struct shake_bind_table *tb = &shake_net(sock_net(sk))->bind;
	bool conflict;

	spin_lock_bh(&tb->lock);
	conflict = shake_port_conflict(tb, sk, inet_sk(sk)->inet_num, true);
	spin_unlock_bh(&tb->lock);
	return conflict ? -EADDRINUSE : 0;
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
	shake_sk(sk)->autoport = 0;
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

static unsigned int shake_ehash_slot(__be32 laddr, __be16 lport,
				     __be32 raddr, __be16 rport)
{
	return shake_hash_4tuple(laddr, lport, raddr, rport) &
	       (SHAKE_EHASH_SIZE - 1);
}

static struct hlist_head *shake_ehash_chain(struct shake_ehash *eh,
					    __be32 laddr, __be16 lport,
					    __be32 raddr, __be16 rport)
{
	return &eh->chains[shake_ehash_slot(laddr, lport, raddr, rport)];
}

static bool shake_ehash_match(const struct sock *sk, __be32 laddr,
			      __be16 lport, __be32 raddr, __be16 rport)
{
	const struct inet_sock *inet = inet_sk(sk);

	return inet->inet_rcv_saddr == laddr && inet->inet_sport == lport &&
	       inet->inet_daddr == raddr && inet->inet_dport == rport;
}

static bool shake_tw_match(const struct shake_tw *tw, __be32 laddr,
			   __be16 lport, __be32 raddr, __be16 rport)
{
	const struct shake_addrs *a = &tw->addrs;

	return a->laddr == laddr && a->lport == lport &&
	       a->raddr == raddr && a->rport == rport;
}

/**
 * shake_ehash_insert - make a connecting socket findable by its 4-tuple
 * @sk: the socket, with addresses and ports set
 *
 * A 4-tuple in TIME_WAIT is taken over only where sysctl tw_reuse allows
 * it (shake_tw_reusable()); the record then ends.
 *
 * Return: 0, or -EADDRNOTAVAIL if another socket, or a TIME_WAIT record
 * that may not be reused, has the same 4-tuple.
 */
int shake_ehash_insert(struct sock *sk)
{
	struct shake_ehash *eh = &shake_net(sock_net(sk))->ehash;
	const struct inet_sock *inet = inet_sk(sk);
	struct shake_tw *tw, *reused = NULL;
	unsigned int slot;
	struct sock *sk2;
	int err = 0;

	slot = shake_ehash_slot(inet->inet_rcv_saddr, inet->inet_sport,
				inet->inet_daddr, inet->inet_dport);
	spin_lock_bh(&eh->lock);
	sk_for_each(sk2, &eh->chains[slot]) {
		if (shake_ehash_match(sk2, inet->inet_rcv_saddr,
				      inet->inet_sport, inet->inet_daddr,
				      inet->inet_dport)) {
			err = -EADDRNOTAVAIL;
			goto out;
		}
	}
	hlist_for_each_entry(tw, &eh->tw_chains[slot], node) {
		if (!shake_tw_match(tw, inet->inet_rcv_saddr, inet->inet_sport,
				    inet->inet_daddr, inet->inet_dport))
			continue;
		if (!shake_tw_reusable(tw, shake_sk(sk)->autoport)) {
			err = -EADDRNOTAVAIL;
			goto out;
		}
		/* hashed, so its tables' reference keeps it till we take ours */
		refcount_inc(&tw->refcnt);
		reused = tw;
		break;
	}
	sk_add_node_rcu(sk, &eh->chains[slot]);
out:
	spin_unlock_bh(&eh->lock);
	/* the record cannot be ended under the lock that its unhashing takes;
	 * meanwhile the socket, found first, hides it
	 */
	if (reused)
		shake_tw_reuse(reused);
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

/**
 * shake_tw_hash - enter a new TIME_WAIT record in the namespace's tables
 * @tw: the record, with its addresses, ports and namespace set
 *
 * Into the port chains first, so that bind() sees the port held before
 * segments and connect() can find the record.
 */
void shake_tw_hash(struct shake_tw *tw)
{
	struct shake_net *sn = shake_net(read_pnet(&tw->net));
	const struct shake_addrs *a = &tw->addrs;
	unsigned int slot;

	spin_lock_bh(&sn->bind.lock);
	hlist_add_head(&tw->bind_node,
		       &sn->bind.tw_chains[shake_bind_slot(ntohs(a->lport))]);
	spin_unlock_bh(&sn->bind.lock);

	slot = shake_ehash_slot(a->laddr, a->lport, a->raddr, a->rport);
	spin_lock_bh(&sn->ehash.lock);
	hlist_add_head_rcu(&tw->node, &sn->ehash.tw_chains[slot]);
	spin_unlock_bh(&sn->ehash.lock);
}

/**
 * shake_tw_unhash - take a TIME_WAIT record out of the tables
 * @tw: the record, hashed by shake_tw_hash()
 *
 * Lookups under RCU may still see it until a grace period has passed.
 */
void shake_tw_unhash(struct shake_tw *tw)
{
	struct shake_net *sn = shake_net(read_pnet(&tw->net));

	spin_lock_bh(&sn->ehash.lock);
	hlist_del_init_rcu(&tw->node);
	spin_unlock_bh(&sn->ehash.lock);

	spin_lock_bh(&sn->bind.lock);
	hlist_del_init(&tw->bind_node);
	spin_unlock_bh(&sn->bind.lock);
}

/**
 * shake_tw_lookup - find the TIME_WAIT record a segment belongs to
 * @net: the namespace the segment arrived in
 * @saddr: segment source address (the remote end)
 * @sport: segment source port
 * @daddr: segment destination address (the local end)
 * @dport: segment destination port
 *
 * Called under rcu_read_lock(). A record's addresses never change, and it
 * is freed after a grace period, so no second match is needed.
 *
 * Return: the record with a reference taken, or NULL.
 */
struct shake_tw *shake_tw_lookup(struct net *net, __be32 saddr, __be16 sport,
				 __be32 daddr, __be16 dport)
{
	struct shake_ehash *eh = &shake_net(net)->ehash;
	unsigned int slot = shake_ehash_slot(daddr, dport, saddr, sport);
	struct shake_tw *tw;

	hlist_for_each_entry_rcu(tw, &eh->tw_chains[slot], node) {
		if (shake_tw_match(tw, daddr, dport, saddr, sport) &&
		    refcount_inc_not_zero(&tw->refcnt))
			return tw;
	}
	return NULL;
}

/**
 * shake_tw_first - any TIME_WAIT record of a namespace
 * @net: the namespace
 *
 * Return: a record with a reference taken, or NULL if there is none.
 */
struct shake_tw *shake_tw_first(struct net *net)
{
	struct shake_ehash *eh = &shake_net(net)->ehash;
	struct shake_tw *tw = NULL;
	unsigned int i;

	spin_lock_bh(&eh->lock);
	for (i = 0; i < SHAKE_EHASH_SIZE && !tw; i++) {
		tw = hlist_entry_safe(eh->tw_chains[i].first, struct shake_tw,
				      node);
		/* hashed: its tables' reference is still there */
		if (tw)
			refcount_inc(&tw->refcnt);
	}
	spin_unlock_bh(&eh->lock);
	return tw;
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
