// SPDX-License-Identifier: GPL-2.0
/*
 * shake: congestion control, as policy: an algorithm sets the congestion
 * window and the slow start threshold and answers what they should be; it
 * never sends (retransmit.c detects losses and recovers, and asks it). The
 * window counts segments, as Linux TCP's does.
 *
 * The algorithms are registered by name, as TCP's are, and another module
 * may add one. Each namespace has a default for new sockets (sysctl
 * congestion_control); TCP_CONGESTION chooses one per socket, among those
 * sysctl allowed_congestion_control lets any user choose, or any
 * registered one with CAP_NET_ADMIN.
 *
 * Reno (RFC 5681) lives here, as it does in TCP: slow start, congestion
 * avoidance, and half the flight as the threshold after a loss. It is the
 * fallback when a module's algorithm cannot be had.
 */

#include <linux/capability.h>
#include <linux/module.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "protocol.h"

static DEFINE_SPINLOCK(shake_cong_lock);
static LIST_HEAD(shake_cong_list);

/* Segments in flight before this ACK, from sequence numbers */
static u32 shake_flight_segs(const struct shake_sock *ssk)
{
	return DIV_ROUND_UP(ssk->snd_nxt - ssk->snd_una, ssk->mss_cache);
}

/**
 * shake_slow_start - grow the window by what was acknowledged, up to
 *	ssthresh (RFC 5681 3.1)
 * @ssk: the socket
 * @acked: segments acknowledged
 *
 * Return: what of @acked is left for congestion avoidance.
 */
u32 shake_slow_start(struct shake_sock *ssk, u32 acked)
{
	u32 cwnd = min(ssk->cwnd + acked, ssk->ssthresh);

	acked -= cwnd - ssk->cwnd;
	ssk->cwnd = cwnd;
	return acked;
}
EXPORT_SYMBOL_GPL(shake_slow_start);

/**
 * shake_cong_avoid_ai - additive increase: a segment per @w acknowledged
 * @ssk: the socket
 * @w: segments to acknowledge for each segment of growth
 * @acked: segments acknowledged now
 */
void shake_cong_avoid_ai(struct shake_sock *ssk, u32 w, u32 acked)
{
	/* a window that shrank (an undo, a new algorithm) resets the count */
	if (ssk->cwnd_cnt >= w) {
		ssk->cwnd_cnt = 0;
		ssk->cwnd++;
	}
	ssk->cwnd_cnt += acked;
	if (ssk->cwnd_cnt >= w) {
		ssk->cwnd += ssk->cwnd_cnt / w;
		ssk->cwnd_cnt %= w;
	}
}
EXPORT_SYMBOL_GPL(shake_cong_avoid_ai);

/* RFC 5681 (4): half the flight, at least two segments */
u32 shake_reno_ssthresh(struct sock *sk)
{
	return max_t(u32, shake_flight_segs(shake_sk(sk)) / 2, 2);
}
EXPORT_SYMBOL_GPL(shake_reno_ssthresh);

/* Slow start by the segments acknowledged, at most two per ACK (RFC 3465's
 * L); congestion avoidance by one segment a window.
 */
void shake_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (ssk->cwnd < ssk->ssthresh) {
		acked = shake_slow_start(ssk, min_t(u32, acked, 2));
		if (!acked)
			return;
	}
	shake_cong_avoid_ai(ssk, ssk->cwnd, acked);
}
EXPORT_SYMBOL_GPL(shake_reno_cong_avoid);

u32 shake_reno_undo_cwnd(struct sock *sk)
{
	const struct shake_sock *ssk = shake_sk(sk);

	return max(ssk->cwnd, ssk->prior_cwnd);
}
EXPORT_SYMBOL_GPL(shake_reno_undo_cwnd);

static struct shake_cong_ops shake_reno = {
	.flags		= SHAKE_CONG_NON_RESTRICTED,
	.ssthresh	= shake_reno_ssthresh,
	.cong_avoid	= shake_reno_cong_avoid,
	.undo_cwnd	= shake_reno_undo_cwnd,
	.name		= "reno",
};

/* Under rcu_read_lock() or shake_cong_lock */
static struct shake_cong_ops *shake_cong_find(const char *name)
{
	struct shake_cong_ops *ca;

	list_for_each_entry_rcu(ca, &shake_cong_list, list,
				lockdep_is_held(&shake_cong_lock)) {
		if (!strcmp(ca->name, name))
			return ca;
	}
	return NULL;
}

/**
 * shake_register_congestion_control - offer an algorithm to shake sockets
 * @ca: the algorithm; name, ssthresh, cong_avoid and undo_cwnd are needed
 *
 * Return: 0, -EINVAL if @ca lacks what it needs, -EEXIST if its name is
 * taken.
 */
int shake_register_congestion_control(struct shake_cong_ops *ca)
{
	int err = 0;

	if (!ca->ssthresh || !ca->cong_avoid || !ca->undo_cwnd ||
	    !ca->name[0] || strnlen(ca->name, SHAKE_CA_NAME_MAX) ==
	    SHAKE_CA_NAME_MAX) {
		pr_err("shake: congestion control '%.*s' is incomplete\n",
		       SHAKE_CA_NAME_MAX, ca->name);
		return -EINVAL;
	}
	spin_lock(&shake_cong_lock);
	if (shake_cong_find(ca->name)) {
		pr_notice("shake: congestion control %s already registered\n",
			  ca->name);
		err = -EEXIST;
	} else {
		list_add_tail_rcu(&ca->list, &shake_cong_list);
		pr_debug("shake: congestion control %s registered\n", ca->name);
	}
	spin_unlock(&shake_cong_lock);
	return err;
}
EXPORT_SYMBOL_GPL(shake_register_congestion_control);

/**
 * shake_unregister_congestion_control - withdraw an algorithm
 * @ca: a registered algorithm
 *
 * No socket or namespace uses it: each holds a reference to its module.
 */
void shake_unregister_congestion_control(struct shake_cong_ops *ca)
{
	spin_lock(&shake_cong_lock);
	list_del_rcu(&ca->list);
	spin_unlock(&shake_cong_lock);
	/* lookups that found it are done before its module goes */
	synchronize_rcu();
}
EXPORT_SYMBOL_GPL(shake_unregister_congestion_control);

int shake_cong_builtin_init(void)
{
	int err;

	err = shake_register_congestion_control(&shake_reno);
	if (err)
		return err;
	err = shake_register_congestion_control(&shake_cubic);
	if (err)
		shake_unregister_congestion_control(&shake_reno);
	return err;
}

void shake_cong_builtin_exit(void)
{
	shake_unregister_congestion_control(&shake_cubic);
	shake_unregister_congestion_control(&shake_reno);
}

/**
 * shake_cong_init_net - a namespace's first default algorithm
 * @sn: the new namespace's
 * @net: the namespace
 *
 * The initial namespace starts with CUBIC, the others with what the
 * initial one has now (or Reno if that cannot be had), as TCP's.
 */
void shake_cong_init_net(struct shake_net *sn, struct net *net)
{
	const struct shake_cong_ops *ca = &shake_cubic;

	if (!net_eq(net, &init_net)) {
		rcu_read_lock();
		ca = rcu_dereference(shake_net(&init_net)->cong_default);
		if (!try_module_get(ca->owner))
			ca = &shake_reno;
		rcu_read_unlock();
	}
	RCU_INIT_POINTER(sn->cong_default, ca);
}

void shake_cong_exit_net(struct shake_net *sn)
{
	const struct shake_cong_ops *ca;

	/* the namespace is going: nothing else reads or writes it */
	ca = rcu_dereference_protected(sn->cong_default, true);

	module_put(ca->owner);
}

/**
 * shake_cong_set_default - sysctl congestion_control was written
 * @sn: the namespace
 * @name: the algorithm's name
 *
 * The default is always allowed to any user, as TCP's.
 *
 * Return: 0, or -ENOENT if no such algorithm is registered (or its module
 * is going).
 */
int shake_cong_set_default(struct shake_net *sn, const char *name)
{
	const struct shake_cong_ops *prev;
	struct shake_cong_ops *ca;
	int err = 0;

	spin_lock(&shake_cong_lock);
	ca = shake_cong_find(name);
	if (!ca || !try_module_get(ca->owner)) {
		err = -ENOENT;
	} else {
		prev = rcu_replace_pointer(sn->cong_default,
					   (const struct shake_cong_ops *)ca,
					   lockdep_is_held(&shake_cong_lock));
		module_put(prev->owner);
		ca->flags |= SHAKE_CONG_NON_RESTRICTED;
	}
	spin_unlock(&shake_cong_lock);
	return err;
}

/* @buf holds SHAKE_CA_NAME_MAX bytes */
void shake_cong_get_default(struct shake_net *sn, char *buf)
{
	rcu_read_lock();
	strscpy(buf, rcu_dereference(sn->cong_default)->name,
		SHAKE_CA_NAME_MAX);
	rcu_read_unlock();
}

/* The names, space separated, of all or of the allowed algorithms */
static void shake_cong_names(char *buf, size_t len, u32 flags)
{
	struct shake_cong_ops *ca;
	size_t off = 0;

	*buf = '\0';
	rcu_read_lock();
	list_for_each_entry_rcu(ca, &shake_cong_list, list) {
		if ((ca->flags & flags) != flags)
			continue;
		off += scnprintf(buf + off, len - off, "%s%s",
				 off ? " " : "", ca->name);
	}
	rcu_read_unlock();
}

void shake_cong_get_available(char *buf, size_t len)
{
	shake_cong_names(buf, len, 0);
}

void shake_cong_get_allowed(char *buf, size_t len)
{
	shake_cong_names(buf, len, SHAKE_CONG_NON_RESTRICTED);
}

/**
 * shake_cong_set_allowed - sysctl allowed_congestion_control was written
 * @list: names separated by spaces; changed in place
 *
 * Exactly the algorithms named become choosable by any user, as TCP's.
 *
 * Return: 0, or -ENOENT (and nothing changed) if a name is unknown.
 */
int shake_cong_set_allowed(char *list)
{
	struct shake_cong_ops *ca;
	char *clone, *rest, *name;
	int err = 0;

	clone = kstrdup(list, GFP_KERNEL);
	if (!clone)
		return -ENOMEM;
	spin_lock(&shake_cong_lock);
	rest = clone;
	while ((name = strsep(&rest, " "))) {
		if (*name && !shake_cong_find(name)) {
			err = -ENOENT;
			goto out;
		}
	}
	list_for_each_entry(ca, &shake_cong_list, list)
		ca->flags &= ~SHAKE_CONG_NON_RESTRICTED;
	while ((name = strsep(&list, " "))) {
		if (*name)
			shake_cong_find(name)->flags |=
				SHAKE_CONG_NON_RESTRICTED;
	}
out:
	spin_unlock(&shake_cong_lock);
	kfree(clone);
	return err;
}

/**
 * shake_cong_assign - a new socket takes its namespace's default
 * @sk: the socket
 */
void shake_cong_assign(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	const struct shake_cong_ops *ca;

	rcu_read_lock();
	ca = rcu_dereference(shake_net(sock_net(sk))->cong_default);
	if (!try_module_get(ca->owner))
		ca = &shake_reno;
	rcu_read_unlock();
	ssk->cong_ops = ca;
	ssk->ca_setsockopt = 0;
	/* what shake_info shows until the connection is set up */
	ssk->cwnd = SHAKE_INIT_CWND;
	ssk->ssthresh = U32_MAX;
}

/**
 * shake_cong_clone - a listener's child, just cloned, takes an algorithm
 * @nsk: the child, which copied the listener's @cong_ops without a
 *	reference of its own
 *
 * The listener's own choice (TCP_CONGESTION) is kept, as TCP keeps it;
 * otherwise the namespace's default of now.
 */
void shake_cong_clone(struct sock *nsk)
{
	struct shake_sock *ssk = shake_sk(nsk);

	if (ssk->ca_setsockopt && try_module_get(ssk->cong_ops->owner))
		return;
	shake_cong_assign(nsk);
}

/**
 * shake_cong_init - a connection is set up: no loss yet, the initial window
 * @sk: the socket, locked
 */
void shake_cong_init(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	ssk->cwnd = SHAKE_INIT_CWND;
	ssk->ssthresh = U32_MAX;
	ssk->cwnd_cnt = 0;
	ssk->ca_state = SHAKE_CA_OPEN;
	ssk->reordering = READ_ONCE(shake_net(sock_net(sk))->sysctl_reordering);
	/* RFC 6582 3.2 step 1: the initial send sequence number */
	ssk->recover = ssk->iss;
	memset(ssk->ca_priv, 0, sizeof(ssk->ca_priv));
	if (ssk->cong_ops->init)
		ssk->cong_ops->init(sk);
}

/**
 * shake_cong_release - the socket goes: so does its hold on the algorithm
 * @sk: the socket
 */
void shake_cong_release(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (ssk->cong_ops->release)
		ssk->cong_ops->release(sk);
	module_put(ssk->cong_ops->owner);
}

/**
 * shake_cong_set - TCP_CONGESTION
 * @sk: the socket, locked
 * @name: the algorithm's name
 * @cap_net_admin: the caller may choose a restricted algorithm
 *
 * A connection already set up starts the new algorithm from its current
 * window.
 *
 * Return: 0; -ENOENT for an unknown name, -EPERM for one not allowed to
 * the caller, -EBUSY if its module is going: TCP's answers.
 */
int shake_cong_set(struct sock *sk, const char *name, bool cap_net_admin)
{
	struct shake_sock *ssk = shake_sk(sk);
	const struct shake_cong_ops *ca;
	int err = 0;

	rcu_read_lock();
	ca = shake_cong_find(name);
	if (ca == ssk->cong_ops)
		ssk->ca_setsockopt = 1;
	else if (!ca)
		err = -ENOENT;
	else if (!(ca->flags & SHAKE_CONG_NON_RESTRICTED) && !cap_net_admin)
		err = -EPERM;
	else if (!try_module_get(ca->owner))
		err = -EBUSY;
	rcu_read_unlock();
	if (err || ca == ssk->cong_ops)
		return err;

	shake_cong_release(sk);
	ssk->cong_ops = ca;
	ssk->ca_setsockopt = 1;
	memset(ssk->ca_priv, 0, sizeof(ssk->ca_priv));
	if (!((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN |
				     TCPF_SYN_SENT)) && ca->init)
		ca->init(sk);
	return 0;
}

/**
 * shake_set_ca_state - loss recovery changes state: the algorithm hears it
 * @sk: the socket, locked
 * @state: SHAKE_CA_*
 */
void shake_set_ca_state(struct sock *sk, u8 state)
{
	struct shake_sock *ssk = shake_sk(sk);

	if (ssk->cong_ops->set_state)
		ssk->cong_ops->set_state(sk, state);
	ssk->ca_state = state;
}

void shake_cong_event(struct sock *sk, enum shake_ca_event ev)
{
	const struct shake_cong_ops *ca = shake_sk(sk)->cong_ops;

	if (ca->cwnd_event)
		ca->cwnd_event(sk, ev);
}

void shake_cong_acked(struct sock *sk, const struct shake_ack_sample *s)
{
	const struct shake_cong_ops *ca = shake_sk(sk)->cong_ops;

	if (ca->pkts_acked)
		ca->pkts_acked(sk, s);
}
