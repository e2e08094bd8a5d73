/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shake: interfaces shared by the files of the module.
 */
#ifndef _NET_SHAKE_H
#define _NET_SHAKE_H

#include <linux/bits.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <net/inet_sock.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#define SHAKE_BIND_HASH_BITS	8
#define SHAKE_BIND_HASH_SIZE	BIT(SHAKE_BIND_HASH_BITS)

/**
 * struct shake_bind_table - the local ports of one network namespace
 * @lock: protects @chains and every member's sk_bind_node and inet_num
 * @chains: bound sockets, hashed by local port
 */
struct shake_bind_table {
	spinlock_t lock;	/* see above */
	struct hlist_head chains[SHAKE_BIND_HASH_SIZE];
};

/**
 * struct shake_net - per network namespace state
 * @bind: the local port table
 */
struct shake_net {
	struct shake_bind_table bind;
};

/**
 * struct shake_sock - a shake socket
 * @inet: the generic inet socket; must stay first
 */
struct shake_sock {
	struct inet_sock inet;
};

extern unsigned int shake_net_id;

static inline struct shake_net *shake_net(const struct net *net)
{
	return net_generic(net, shake_net_id);
}

/* hashtables.c */
void shake_bind_table_init(struct shake_bind_table *tb);
int shake_get_port(struct sock *sk, unsigned short snum);
void shake_put_port(struct sock *sk);

/* proc.c */
int shake_proc_init_net(struct net *net);
void shake_proc_exit_net(struct net *net);

#endif /* _NET_SHAKE_H */
