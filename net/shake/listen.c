// SPDX-License-Identifier: GPL-2.0
/*
 * shake: passive open. A listener keeps each half-open connection as a
 * small request record (struct shake_request) in its SYN queue, and each
 * established, not yet accepted child socket in its accept queue. Both are
 * under the spinlock of the listener's socket lock (bh_lock_sock()), not
 * under its owner: segments for a listener are processed in softirq even
 * while a process holds the socket, so that accept() or close() never
 * makes a flood queue to the backlog (shake_rcv()).
 */

#include <linux/slab.h>
#include <net/inet_common.h>
#include <net/ip.h>

#include "records.h"

static struct kmem_cache *shake_request_cache __read_mostly;

int shake_request_cache_init(void)
{
	shake_request_cache = KMEM_CACHE(shake_request, 0);
	return shake_request_cache ? 0 : -ENOMEM;
}

void shake_request_cache_destroy(void)
{
	kmem_cache_destroy(shake_request_cache);
}

static void shake_request_free_rcu(struct rcu_head *head)
{
	kmem_cache_free(shake_request_cache,
			container_of(head, struct shake_request, rcu));
}

static void shake_request_put(struct shake_request *req)
{
	if (refcount_dec_and_test(&req->refcnt)) {
		sock_put(req->listener);
		call_rcu(&req->rcu, shake_request_free_rcu);
	}
}

static struct hlist_head *shake_req_chain(struct shake_sock *ssk,
					  __be32 laddr, __be16 lport,
					  __be32 raddr, __be16 rport)
{
	u32 h = shake_hash_4tuple(laddr, lport, raddr, rport);

	return &ssk->req_hash[h & (SHAKE_REQ_HASH_SIZE - 1)];
}

static struct shake_request *shake_req_find(struct sock *sk, __be32 laddr,
					    __be16 lport, __be32 raddr,
					    __be16 rport)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_request *req;

	hlist_for_each_entry(req, shake_req_chain(ssk, laddr, lport, raddr,
						  rport), node) {
		const struct shake_addrs *a = &req->addrs;

		if (a->raddr == raddr && a->rport == rport &&
		    a->laddr == laddr && a->lport == lport)
			return req;
	}
	return NULL;
}

/* Take a request out of the SYN queue; the listener is bh-locked. */
static void shake_req_unlink(struct sock *sk, struct shake_request *req)
{
	hlist_del_init_rcu(&req->node);
	shake_sk(sk)->syn_qlen--;
	if (del_timer(&req->timer))
		shake_request_put(req);
	shake_request_put(req);
}

/* The SYN-ACK of a request record, first or again */
static void shake_req_synack(const struct shake_request *req)
{
	shake_send_synack(req, shake_time_stamp() + req->opt.ts_off);
}

/* Our SYN-ACK was lost, or the peer's answer to it */
static void shake_req_resend(struct shake_request *req)
{
	SHAKE_INC_STATS(sock_net(req->listener), SHAKE_MIB_RETRANSSEGS);
	req->synack_us = 0;
	shake_req_synack(req);
}

static void shake_req_timer(struct timer_list *t)
{
	struct shake_request *req = from_timer(req, t, timer);
	struct sock *sk = req->listener;
	int retries;

	bh_lock_sock(sk);
	if (hlist_unhashed(&req->node) || sk->sk_state != TCP_LISTEN)
		goto out;
	retries = READ_ONCE(shake_net(sock_net(sk))->sysctl_synack_retries);
	if (req->retransmits >= retries) {
		shake_req_unlink(sk, req);
		goto out;
	}
	req->retransmits++;
	shake_req_resend(req);
	/* 1, 2, 4, 8, 16 s: the SYN's backoff (RFC 6298 5.5) */
	mod_timer(t, jiffies + min(SHAKE_TIMEOUT_INIT << req->retransmits,
				   SHAKE_RTO_MAX));
	bh_unlock_sock(sk);
	return;
out:
	bh_unlock_sock(sk);
	shake_request_put(req);
}

/* A SYN for a listener: a new request, or a cookie, if the queues have
 * room. Under a flood the SYN queue stays at its bound and what is past
 * it costs no memory: a cookie's SYN-ACK is all that is left of it.
 */
static void shake_listen_syn(struct sock *sk, struct sk_buff *skb,
			     const struct shakehdr *th,
			     const struct shake_options *opt)
{
	struct shake_net *sn = shake_net(sock_net(sk));
	struct shake_sock *ssk = shake_sk(sk);
	const struct shake_addrs *a;
	struct shake_request *req;
	bool full;
	u32 bound;

	if (sk_acceptq_is_full(sk)) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_LISTENOVERFLOWS);
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_LISTENDROPS);
		return;
	}
	bound = min_t(u32, max_t(u32, READ_ONCE(sk->sk_max_ack_backlog), 1),
		      READ_ONCE(sn->sysctl_max_syn_backlog));
	full = ssk->syn_qlen >= bound;
	if (shake_cookie_want(sk, full)) {
		shake_cookie_synack(sk, skb, th, opt);
		return;
	}
	if (full) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_LISTENDROPS);
		return;
	}

	req = kmem_cache_alloc(shake_request_cache, GFP_ATOMIC);
	if (!req) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_LISTENDROPS);
		return;
	}
	shake_req_init(sk, skb, th, req);
	refcount_set(&req->refcnt, 2);		/* the hash, the timer */
	sock_hold(sk);
	a = &req->addrs;
	req->iss = shake_isn(a->laddr, a->raddr, a->lport, a->rport);
	/* a SYN's data is never delivered: it is not acknowledged */
	req->rcv_nxt = ntohl(th->seq) + 1;
	shake_syn_opts_offer(sk, &req->opt, a->laddr, a->raddr);
	shake_syn_opts_agree(&req->opt, opt);
	timer_setup(&req->timer, shake_req_timer, 0);
	hlist_add_head_rcu(&req->node, shake_req_chain(ssk, a->laddr, a->lport,
						       a->raddr, a->rport));
	ssk->syn_qlen++;
	mod_timer(&req->timer, jiffies + SHAKE_TIMEOUT_INIT);
	req->synack_us = shake_clock_us();
	shake_req_synack(req);
}

/* The listener's copy of itself for a completed handshake; @th and @opt
 * are the final ACK's, which gives the peer's first scaled window and the
 * first RTT sample
 */
static struct sock *shake_create_child(struct sock *sk,
				       struct shake_request *req,
				       const struct shakehdr *th,
				       const struct shake_options *opt)
{
	const struct shake_addrs *a = &req->addrs;
	struct shake_sock *nssk;
	struct inet_sock *ninet;
	struct rtable *rt;
	struct sock *nsk;

	nsk = sk_clone_lock(sk, GFP_ATOMIC);
	if (!nsk)
		return NULL;
	__acquire(&nsk->sk_lock.slock);	/* sk_clone_lock() returns it held */
	nssk = shake_sk(nsk);
	shake_cong_clone(nsk);
	ninet = inet_sk(nsk);
	sock_prot_inuse_add(sock_net(nsk), nsk->sk_prot, 1);
	shake_init_timers(nsk);
	nssk->req_hash = NULL;
	nssk->syn_qlen = 0;
	INIT_LIST_HEAD(&nssk->accept_queue);
	shake_reset_transfer(nssk);
	INIT_HLIST_NODE(&nsk->sk_bind_node);
	/* not the listener's: options and groups are per socket */
	RCU_INIT_POINTER(ninet->inet_opt, NULL);
	ninet->mc_list = NULL;

	ninet->inet_rcv_saddr = a->laddr;
	ninet->inet_saddr = a->laddr;
	ninet->inet_daddr = a->raddr;
	ninet->inet_dport = a->rport;
	atomic_set(&ninet->inet_id, get_random_u16());
	nssk->iss = req->iss;
	nssk->snd_una = req->iss + 1;
	nssk->snd_nxt = req->iss + 1;
	nssk->rcv_nxt = req->rcv_nxt;
	/* the window our SYN-ACK offered */
	nssk->rcv_wnd = req->rcv_wnd;
	nssk->opt = req->opt;
	rt = ip_route_output_ports(sock_net(nsk), &ninet->cork.fl.u.ip4, nsk,
				   a->raddr, a->laddr, a->rport,
				   a->lport, nsk->sk_protocol,
				   RT_CONN_FLAGS(nsk), nsk->sk_bound_dev_if);
	if (!IS_ERR(rt))
		sk_setup_caps(nsk, &rt->dst);
	shake_init_transfer(nsk, th);
	/* a cookie's timestamp carries its options in the low bits */
	shake_rtt_measure(nssk, req->synack_us, req->cookie ? NULL : opt);

	nsk->sk_state = TCP_LISTEN;	/* what the clone copied */
	shake_set_state(nsk, TCP_SYN_RECV);
	shake_inherit_port(nsk);
	if (shake_ehash_insert(nsk)) {
		/* the 4-tuple is taken: the clone goes as it came */
		shake_set_state(nsk, TCP_CLOSE);
		shake_put_port(nsk);
		bh_unlock_sock(nsk);
		sock_set_flag(nsk, SOCK_DEAD);
		sk_free(nsk);
		return NULL;
	}
	shake_set_state(nsk, TCP_ESTABLISHED);
	shake_keepalive_reset(nsk);
	bh_unlock_sock(nsk);
	/* of the clone's two references, the accept queue keeps one */
	sock_put(nsk);
	return nsk;
}

/**
 * shake_handshake_done - a final ACK completes a handshake: the child
 * @sk: the listener, bh-locked
 * @req: the handshake, a request record's or a valid cookie's
 * @th: the ACK
 * @opt: its options
 *
 * The same for both kinds, so that a connection is the same whichever
 * way it was opened: the established child goes to the accept queue.
 *
 * Return: the child, NULL if none could be made, or ERR_PTR(-ENOBUFS)
 * if the accept queue is full (the caller decides what becomes of the
 * handshake).
 */
static struct sock *shake_handshake_done(struct sock *sk,
					 struct shake_request *req,
					 const struct shakehdr *th,
					 const struct shake_options *opt)
{
	struct sock *child;

	if (sk_acceptq_is_full(sk)) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_LISTENOVERFLOWS);
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_LISTENDROPS);
		return ERR_PTR(-ENOBUFS);
	}
	if (req->opt.tstamp_ok && opt->saw_tstamp)
		req->opt.ts_recent = opt->tsval;
	child = shake_create_child(sk, req, th, opt);
	if (!child) {
		SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_LISTENDROPS);
		return NULL;
	}
	list_add_tail(&shake_sk(child)->accept_node,
		      &shake_sk(sk)->accept_queue);	/* the clone's reference */
	sk_acceptq_added(sk);
	SHAKE_INC_STATS(sock_net(sk), SHAKE_MIB_PASSIVEOPENS);
	sk->sk_data_ready(sk);
	return child;
}

/* Data on the final ACK is the child's; the input path holds the listener
 * at SINGLE_DEPTH_NESTING, so the child takes subclass 0. Returns true if
 * the child took the skb.
 */
static bool shake_child_data(struct sock *child, struct sk_buff *skb,
			     const struct shakehdr *th)
{
	if (skb->len <= th->doff * 4)
		return false;
	bh_lock_sock(child);
	shake_sk_rcv(child, skb);
	bh_unlock_sock(child);
	return true;
}

/* A segment for a request: a retransmitted SYN, a RST, or the final ACK */
static bool shake_req_rcv(struct sock *sk, struct shake_request *req,
			  struct sk_buff *skb, const struct shakehdr *th,
			  const struct shake_options *opt)
{
	struct shake_net *sn = shake_net(sock_net(sk));
	u32 seq = ntohl(th->seq);
	struct sock *child;

	if (th->rst) {
		if (seq == req->rcv_nxt)
			shake_req_unlink(sk, req);
		return false;
	}
	if (th->syn) {
		if (seq == req->rcv_nxt - 1) {
			/* our SYN-ACK was lost: say it again */
			shake_req_resend(req);
		}
		return false;
	}
	if (!th->ack)
		return false;
	if (ntohl(th->ack_seq) != req->iss + 1) {
		shake_send_reset(sock_net(sk), skb);
		return false;
	}
	if (seq != req->rcv_nxt)
		return false;

	child = shake_handshake_done(sk, req, th, opt);
	if (child == ERR_PTR(-ENOBUFS)) {
		if (READ_ONCE(sn->sysctl_abort_on_overflow)) {
			shake_send_reset(sock_net(sk), skb);
			shake_req_unlink(sk, req);
		}
		/* else the SYN-ACK's retransmission will draw the ACK again */
		return false;
	}
	shake_req_unlink(sk, req);
	return child && shake_child_data(child, skb, th);
}

/* An ACK that found neither a request nor a connection: the end of a
 * cookie handshake, or a segment to answer with a RST
 */
static bool shake_listen_ack(struct sock *sk, struct sk_buff *skb,
			     const struct shakehdr *th,
			     const struct shake_options *opt)
{
	struct shake_net *sn = shake_net(sock_net(sk));
	struct shake_request req;
	struct sock *child;

	if (th->syn || shake_cookie_check(sk, skb, th, opt, &req) <= 0) {
		shake_send_reset(sock_net(sk), skb);
		return false;
	}
	child = shake_handshake_done(sk, &req, th, opt);
	if (IS_ERR_OR_NULL(child)) {
		/* no record to retransmit from: the peer's next segment,
		 * if the cookie is still valid then, will try again
		 */
		if (PTR_ERR(child) == -ENOBUFS &&
		    READ_ONCE(sn->sysctl_abort_on_overflow))
			shake_send_reset(sock_net(sk), skb);
		return false;
	}
	return shake_child_data(child, skb, th);
}

/**
 * shake_listen_rcv - a segment for a listener (RFC 9293 3.10.7.2)
 * @sk: the listener, bh-locked
 * @skb: the segment
 * @opt: its options
 *
 * Return: true if the segment was handed on (to a new child), false if the
 * caller still owns it.
 */
bool shake_listen_rcv(struct sock *sk, struct sk_buff *skb,
		      const struct shake_options *opt)
{
	const struct shakehdr *th = shake_hdr(skb);
	const struct iphdr *iph = ip_hdr(skb);
	struct shake_request *req;

	req = shake_req_find(sk, iph->daddr, th->dest, iph->saddr, th->source);
	if (req)
		return shake_req_rcv(sk, req, skb, th, opt);
	if (th->rst)
		return false;
	if (th->ack)
		return shake_listen_ack(sk, skb, th, opt);
	if (th->syn)
		shake_listen_syn(sk, skb, th, opt);
	return false;
}

/**
 * shake_listen - listen() (struct proto_ops.listen)
 * @sock: the socket
 * @backlog: bound of the accept queue; a listener may change it
 *
 * Return: 0, -EINVAL for a connected socket, -EADDRINUSE if the port is
 * shared with a listener, or -ENOMEM.
 */
int shake_listen(struct socket *sock, int backlog)
{
	struct sock *sk = sock->sk;
	struct shake_sock *ssk = shake_sk(sk);
	int err = -EINVAL;
	unsigned int i;

	lock_sock(sk);
	if (sock->state != SS_UNCONNECTED ||
	    !((1 << sk->sk_state) & (TCPF_CLOSE | TCPF_LISTEN)))
		goto out;

	WRITE_ONCE(sk->sk_max_ack_backlog, backlog);
	if (sk->sk_state == TCP_LISTEN) {
		err = 0;
		goto out;
	}

	err = -ENOMEM;
	ssk->req_hash = kmalloc_array(SHAKE_REQ_HASH_SIZE,
				      sizeof(*ssk->req_hash), GFP_KERNEL);
	if (!ssk->req_hash)
		goto out;
	for (i = 0; i < SHAKE_REQ_HASH_SIZE; i++)
		INIT_HLIST_HEAD(&ssk->req_hash[i]);
	ssk->syn_qlen = 0;
	ssk->cookie_stamp = 0;
	ssk->synflood_warned = 0;
	INIT_LIST_HEAD(&ssk->accept_queue);
	WRITE_ONCE(sk->sk_ack_backlog, 0);

	if (!inet_sk(sk)->inet_num) {
		err = shake_get_port(sk, 0);
		if (err)
			goto out_free;
		inet_sk(sk)->inet_sport = htons(inet_sk(sk)->inet_num);
	}
	shake_set_state(sk, TCP_LISTEN);
	err = shake_listen_port_check(sk);
	if (err) {
		shake_set_state(sk, TCP_CLOSE);
		goto out_free;
	}
	shake_lhash_insert(sk);
	err = 0;
	goto out;

out_free:
	kfree(ssk->req_hash);
	ssk->req_hash = NULL;
out:
	release_sock(sk);
	return err;
}

/**
 * shake_listen_stop - a listener closes: end its queues
 * @sk: the listener, locked by its owner
 * @children: gets the children nobody accepted, linked by accept_node,
 *	each with the reference the accept queue held; the caller resets them
 *
 * Pending requests are reset, as TCP does.
 */
void shake_listen_stop(struct sock *sk, struct list_head *children)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct hlist_head *req_hash = ssk->req_hash;
	struct shake_request *req;
	struct hlist_node *tmp;
	unsigned int i;

	shake_lhash_remove(sk);
	/* segments that found the listener before see it closed */
	spin_lock_bh(&sk->sk_lock.slock);
	shake_set_state(sk, TCP_CLOSE);
	for (i = 0; i < SHAKE_REQ_HASH_SIZE; i++) {
		hlist_for_each_entry_safe(req, tmp, &req_hash[i], node) {
			shake_send_reset_request(req);
			shake_req_unlink(sk, req);
		}
	}
	list_splice_init(&ssk->accept_queue, children);
	WRITE_ONCE(sk->sk_ack_backlog, 0);
	spin_unlock_bh(&sk->sk_lock.slock);

	/* /proc readers may still walk the table */
	WRITE_ONCE(ssk->req_hash, NULL);
	synchronize_rcu();
	kfree(req_hash);
}

/* The oldest child of the accept queue, taken out of it, or NULL */
static struct shake_sock *shake_accept_dequeue(struct sock *sk)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_sock *child;

	spin_lock_bh(&sk->sk_lock.slock);
	child = list_first_entry_or_null(&ssk->accept_queue,
					 struct shake_sock, accept_node);
	if (child) {
		list_del_init(&child->accept_node);
		sk_acceptq_removed(sk);
	}
	spin_unlock_bh(&sk->sk_lock.slock);
	return child;
}

/**
 * shake_accept - take an established child (struct proto.accept)
 * @sk: the listener
 * @flags: O_NONBLOCK for a non-blocking accept
 * @err: the error, when NULL is returned
 * @kern: unused
 *
 * Return: the child, or NULL with *err set (EINVAL, EAGAIN, a signal's).
 */
struct sock *shake_accept(struct sock *sk, int flags, int *err, bool kern)
{
	struct shake_sock *ssk = shake_sk(sk);
	struct shake_sock *child;
	long timeo;

	lock_sock(sk);
	*err = -EINVAL;
	if (sk->sk_state != TCP_LISTEN)
		goto out;

	timeo = sock_rcvtimeo(sk, flags & O_NONBLOCK);
	while (!(child = shake_accept_dequeue(sk))) {
		DEFINE_WAIT_FUNC(wait, woken_wake_function);

		*err = -EAGAIN;
		if (!timeo)
			goto out;
		add_wait_queue_exclusive(sk_sleep(sk), &wait);
		/* softirq adds children without the owner: look again once
		 * on the wait queue, or a wakeup in between is lost
		 */
		sk_wait_event(sk, &timeo, !list_empty(&ssk->accept_queue),
			      &wait);
		remove_wait_queue(sk_sleep(sk), &wait);
		*err = sock_intr_errno(timeo);
		if (signal_pending(current))
			goto out;
		*err = -EINVAL;
		if (sk->sk_state != TCP_LISTEN)
			goto out;
	}
	release_sock(sk);
	*err = 0;
	return &child->inet.sk;
out:
	release_sock(sk);
	return NULL;
}
