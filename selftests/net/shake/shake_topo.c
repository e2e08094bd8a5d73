// SPDX-License-Identifier: GPL-2.0
/* Two network namespaces joined by a veth pair: see shake_topo.h. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "shake_lib.h"
#include "shake_topo.h"

/* Append to a command (one shell line, steps joined with &&) */
static void add(char *cmd, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void add(char *cmd, size_t size, const char *fmt, ...)
{
	size_t n = strlen(cmd);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd + n, size - n, fmt, ap);
	va_end(ap);
}

/* A namespace for end e, its file open in t->ns[e] */
static int make_ns(struct shake_topo *t, int e)
{
	const char *name = t->end[e].ns;
	char path[64];

	if (!name) {
		if (shake_new_netns())
			return -1;
		t->ns[e] = open("/proc/thread-self/ns/net", O_RDONLY);
		return t->ns[e] < 0 ? -1 : 0;
	}
	if (shake_sh("ip netns add %s", name))
		return -1;
	snprintf(path, sizeof(path), "/run/netns/%s", name);
	t->ns[e] = open(path, O_RDONLY);
	return t->ns[e] < 0 ? -1 : 0;
}

/* " address M gso_max_segs N" of end e's half of ip link add */
static void link_args(char *cmd, size_t size, const struct shake_topo_end *e)
{
	if (e->mac)
		add(cmd, size, " address %s", e->mac);
	if (e->gso_max_segs)
		add(cmd, size, " gso_max_segs %d", e->gso_max_segs);
}

/* End e's device, as described; its MAC and index read back */
static int set_up_end(struct shake_topo *t, int e)
{
	const struct shake_topo_end *d = &t->end[e];
	struct ifreq ifr = { 0 };
	char cmd[1024] = "";
	int i, fd, err;

	/* no forwarding: what an end does not own, it drops */
	add(cmd, sizeof(cmd), "echo 0 >/proc/sys/net/ipv4/ip_forward");
	add(cmd, sizeof(cmd), " && ip link set lo up");
	for (i = 0; i < SHAKE_TOPO_ADDRS && d->addr[i] && !d->unowned; i++)
		add(cmd, sizeof(cmd), " && ip addr add %s dev %s", d->addr[i],
		    d->dev);
	add(cmd, sizeof(cmd), " && ip link set %s up", d->dev);
	if (d->tx_off)
		add(cmd, sizeof(cmd), " && ethtool -K %s tx off >/dev/null",
		    d->dev);
	if (d->route)
		add(cmd, sizeof(cmd), " && ip route add %s dev %s", d->route,
		    d->dev);
	if (d->netem)
		add(cmd, sizeof(cmd), " && tc qdisc add dev %s root netem %s",
		    d->dev, d->netem);
	if (shake_netns_sh(t->ns[e], t->ns[e], "%s", cmd))
		return -1;

	t->ifindex[e] = if_nametoindex(d->dev);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", d->dev);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	err = fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr);
	memcpy(t->mac[e], ifr.ifr_hwaddr.sa_data, 6);
	if (fd >= 0)
		close(fd);
	return err || !t->ifindex[e] ? -1 : 0;
}

/* In end e, a permanent entry for each address of the other end */
static int neighbours(const struct shake_topo *t, int e)
{
	const struct shake_topo_end *o = &t->end[!e];
	const uint8_t *m = t->mac[!e];
	char cmd[1024] = "true";
	int i;

	if (t->end[e].unowned)
		return 0;	/* it sends nothing through its IP layer */
	for (i = 0; i < SHAKE_TOPO_ADDRS && o->addr[i]; i++)
		add(cmd, sizeof(cmd),
		    " && ip neigh add %.*s lladdr %02x:%02x:%02x:%02x:%02x:%02x dev %s nud permanent",
		    (int)strcspn(o->addr[i], "/"), o->addr[i],
		    m[0], m[1], m[2], m[3], m[4], m[5], t->end[e].dev);
	return shake_netns_sh(t->ns[e], t->ns[0], "%s", cmd) ? -1 : 0;
}

int shake_topo_up(struct shake_topo *t)
{
	char cmd[1024] = "";

	t->ns[0] = -1;
	t->ns[1] = -1;
	if (make_ns(t, 0) || make_ns(t, 1))
		return -1;
	add(cmd, sizeof(cmd), "ip link add %s", t->end[0].dev);
	link_args(cmd, sizeof(cmd), &t->end[0]);
	add(cmd, sizeof(cmd), " type veth peer name %s", t->end[1].dev);
	link_args(cmd, sizeof(cmd), &t->end[1]);
	add(cmd, sizeof(cmd), " netns /proc/%d/fd/%d", getpid(), t->ns[1]);
	if (shake_netns_sh(t->ns[0], t->ns[0], "%s", cmd) ||
	    set_up_end(t, 0) || set_up_end(t, 1))
		return -1;
	if (t->static_neigh && (neighbours(t, 0) || neighbours(t, 1)))
		return -1;
	return setns(t->ns[0], CLONE_NEWNET) ? -1 : 0;
}

void shake_topo_down(struct shake_topo *t)
{
	int e;

	for (e = 0; e < 2; e++) {
		if (t->ns[e] >= 0)
			close(t->ns[e]);
		t->ns[e] = -1;
		if (t->end[e].ns)
			shake_sh("ip netns del %s 2>/dev/null", t->end[e].ns);
	}
}

int shake_topo_sh(const struct shake_topo *t, int end, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return shake_netns_sh(t->ns[end], t->ns[0], "%s", cmd);
}

int shake_topo_netem(const struct shake_topo *t, int end, const char *fmt,
		     ...)
{
	char args[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return shake_topo_sh(t, end, "tc qdisc add dev %s root netem %s",
			     t->end[end].dev, args);
}

int shake_topo_drop_ingress(const struct shake_topo *t, int end, bool on)
{
	const char *dev = t->end[end].dev;

	if (!on)
		return shake_topo_sh(t, end,
				     "tc qdisc del dev %s handle ffff: ingress",
				     dev);
	return shake_topo_sh(t, end,
			     "tc qdisc add dev %s handle ffff: ingress && tc filter add dev %s parent ffff: matchall action drop",
			     dev, dev);
}
