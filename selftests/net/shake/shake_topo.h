/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Two network namespaces joined by a veth pair, the topology of every test
 * that goes beyond loopback. One description (struct shake_topo) says what
 * each end has; shake_topo_up() builds it.
 */
#ifndef SHAKE_SELFTEST_TOPO_H
#define SHAKE_SELFTEST_TOPO_H

#include <stdbool.h>
#include <stdint.h>

#define SHAKE_TOPO_ADDRS 2

/* One end of the pair: everything optional but dev */
struct shake_topo_end {
	/*
	 * A named namespace to make (/run/netns/<ns>, for ip netns exec and
	 * scripts); NULL: an unnamed one, which vanishes with the process
	 * however it ends.
	 */
	const char *ns;
	const char *dev;
	const char *addr[SHAKE_TOPO_ADDRS];	/* "a.b.c.d/len" */
	/*
	 * The addresses are where the end is, not configured on it: the
	 * namespace owns none and does not forward, so its IP layer drops
	 * what comes silently, and a packet socket there answers (peer.h).
	 */
	bool unowned;
	const char *mac;	/* "02:..."; NULL: the kernel's random one */
	/* 1: every segment a frame of its own, which netem treats alone */
	int gso_max_segs;
	/*
	 * No tx checksum offload: frames leave with complete checksums,
	 * which the receiver verifies (veth trusts a partial one unchecked)
	 * and a capture can check.
	 */
	bool tx_off;
	const char *route;	/* ip route add <route> dev <dev> */
	const char *netem;	/* a root netem qdisc with these arguments */
};

struct shake_topo {
	struct shake_topo_end end[2];
	/*
	 * Permanent neighbour entries each way (from an end that owns its
	 * addresses): no ARP crosses the link, to be lost to netem or to
	 * delay the first segment.
	 */
	bool static_neigh;
	/* set by shake_topo_up() */
	int ns[2];		/* the ends' namespaces (open files) */
	int ifindex[2];
	uint8_t mac[2][6];
};

/*
 * Build t: both namespaces (no forwarding, lo up), the veth pair, then
 * each end as described. The caller is left in end 0's namespace.
 * 0, or -1 (the failing command has said why on stderr).
 */
int shake_topo_up(struct shake_topo *t);

/* Close t's namespaces and delete the named ones. */
void shake_topo_down(struct shake_topo *t);

/* Run a shell command in end's namespace, then go back to end 0's. */
int shake_topo_sh(const struct shake_topo *t, int end, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Add a root netem qdisc with these arguments to end's device. */
int shake_topo_netem(const struct shake_topo *t, int end, const char *fmt,
		     ...) __attribute__((format(printf, 3, 4)));

/*
 * Drop everything end's device receives, or stop dropping. The drop is
 * at ingress, after a capture on that device has seen each frame (netem
 * on the sender's qdisc would drop it before any tap).
 */
int shake_topo_drop_ingress(const struct shake_topo *t, int end, bool on);

#endif
