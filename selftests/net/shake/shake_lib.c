// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the shake selftests. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/shake.h>
#include "shake_lib.h"

int shake_proto(void)
{
	FILE *f = fopen("/sys/module/shake/parameters/ipproto", "r");
	int proto = IPPROTO_SHAKE;

	if (f) {
		if (fscanf(f, "%d", &proto) != 1)
			proto = IPPROTO_SHAKE;
		fclose(f);
	}
	return proto;
}

int shake_new_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd, ret = 0;

	if (unshare(CLONE_NEWNET))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr))
			ret = -errno;
	} else {
		ret = -errno;
	}
	close(fd);
	return ret;
}

int shake_sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

int shake_netns_sh(int ns, int back, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	if (setns(ns, CLONE_NEWNET))
		return -1;
	rc = system(cmd);
	if (setns(back, CLONE_NEWNET))
		return -1;
	return rc;
}

/*
 * The sysctls (under /proc/sys/net/) whose TCP name is not tcp_<name>, or
 * that one protocol lacks (NULL), or that both share.
 */
static const struct {
	const char *name, *shake, *tcp;
} sysctls[] = {
	/* TCP's TIME_WAIT is a constant, TCP_TIMEWAIT_LEN (60 s) */
	{ "msl_ms", "shake/msl_ms", NULL },
	/* TCP sends its RSTs unlimited */
	{ "reset_msgs_per_sec", "shake/reset_msgs_per_sec", NULL },
	/* shake always keeps TIME_WAIT through a RST (RFC 1337) */
	{ "rfc1337", NULL, "ipv4/tcp_rfc1337" },
	/* IPv4's ports: shake's connect() and bind() take them too */
	{ "ip_local_port_range", "ipv4/ip_local_port_range",
	  "ipv4/ip_local_port_range" },
	{ "ip_local_reserved_ports", "ipv4/ip_local_reserved_ports",
	  "ipv4/ip_local_reserved_ports" },
};

int shake_sysctl_path(int proto, const char *name, char *path, size_t len)
{
	const char *file;
	unsigned int i;

	for (i = 0; i < sizeof(sysctls) / sizeof(*sysctls); i++) {
		if (strcmp(sysctls[i].name, name))
			continue;
		file = proto == IPPROTO_TCP ? sysctls[i].tcp : sysctls[i].shake;
		if (!file)
			return -ENOENT;
		snprintf(path, len, "/proc/sys/net/%s", file);
		return 0;
	}
	snprintf(path, len, "/proc/sys/net/%s%s",
		 proto == IPPROTO_TCP ? "ipv4/tcp_" : "shake/", name);
	return 0;
}

/* open() the file of that sysctl; the fd, or -errno */
static int sysctl_open(int proto, const char *name, int flags)
{
	char path[128];
	int fd, err = shake_sysctl_path(proto, name, path, sizeof(path));

	if (err)
		return err;
	fd = open(path, flags);
	return fd < 0 ? -errno : fd;
}

int shake_set_sysctl(int proto, const char *name, const char *value)
{
	int fd = sysctl_open(proto, name, O_WRONLY), err;

	if (fd < 0)
		return fd;
	err = write(fd, value, strlen(value)) < 0 ? -errno : 0;
	close(fd);
	return err;
}

int shake_get_sysctl(int proto, const char *name, char *value, size_t len)
{
	int fd = sysctl_open(proto, name, O_RDONLY), err;
	ssize_t n;

	if (fd < 0)
		return fd;
	n = read(fd, value, len - 1);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err)
		return err;
	value[n] = 0;
	value[strcspn(value, "\n")] = 0;	/* the one value, as written */
	return 0;
}

int shake_short_orphans(int proto)
{
	return shake_set_sysctl(proto, "orphan_retries", "1");
}

struct sockaddr_in shake_addr(const char *ip, unsigned short port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

int shake_bind(int fd, const char *ip, unsigned short port)
{
	struct sockaddr_in sin = shake_addr(ip, port);

	return bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ? -errno : 0;
}

int shake_local_port(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);

	if (getsockname(fd, (struct sockaddr *)&sin, &len))
		return -1;
	return ntohs(sin.sin_port);
}

int shake_proc_find(const char *file, const char *ip, unsigned short port,
		    char *line, size_t len)
{
	char want[32], buf[512];
	struct in_addr a;
	int found = 0;
	FILE *f;

	inet_pton(AF_INET, ip, &a);
	snprintf(want, sizeof(want), "%08X:%04X", a.s_addr, port);
	f = fopen(file, "r");
	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f)) {
		char local[32];

		if (sscanf(buf, "%*d: %31s", local) == 1 &&
		    !strcmp(local, want)) {
			snprintf(line, len, "%s", buf);
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

int shake_proc_count(const char *file)
{
	char buf[512];
	int n = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f))
		n++;
	fclose(f);
	return n;
}

const char *shake_proc_file(int proto)
{
	return proto == IPPROTO_TCP ? "/proc/net/tcp" : "/proc/net/shake";
}

int shake_proc_conn(int proto, const char *lip, unsigned short lport,
		    const char *rip, unsigned short rport,
		    struct shake_proc_conn *out)
{
	char want_l[32], want_r[32], buf[512];
	struct in_addr a;
	long hz = sysconf(_SC_CLK_TCK);
	int found = 0;
	FILE *f;

	inet_pton(AF_INET, lip, &a);
	snprintf(want_l, sizeof(want_l), "%08X:%04X", a.s_addr, lport);
	inet_pton(AF_INET, rip, &a);
	snprintf(want_r, sizeof(want_r), "%08X:%04X", a.s_addr, rport);
	f = fopen(shake_proc_file(proto), "r");
	if (!f)
		return -errno;
	while (!found && fgets(buf, sizeof(buf), f)) {
		char local[32], remote[32];
		unsigned int st, tr;
		unsigned long when;

		if (sscanf(buf, "%*d: %31s %31s %x %*x:%*x %x:%lx", local,
			   remote, &st, &tr, &when) != 5 ||
		    strcmp(local, want_l) || strcmp(remote, want_r))
			continue;
		out->state = st;
		out->timer = tr;
		/* a timer already due prints as a negative clock_t */
		out->when_ms = (long)(int)when * 1000 / (hz > 0 ? hz : 100);
		found = 1;
	}
	fclose(f);
	return found;
}

int shake_proc_count_state(int proto, int st)
{
	char buf[512];
	unsigned int s;
	int n = 0;
	FILE *f = fopen(shake_proc_file(proto), "r");

	if (!f)
		return -errno;
	while (fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "%*d: %*s %*s %x", &s) == 1 && (int)s == st)
			n++;
	fclose(f);
	return n;
}

/* A number column of /proc/net/protocols (1: sockets, 2: memory) */
static long protocols_column(const char *name, int col)
{
	char buf[512], pname[64];
	long val = -1, n[2];
	FILE *f = fopen("/proc/net/protocols", "r");

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%63s %*u %ld %ld", pname, &n[0], &n[1]) == 3 &&
		    !strcmp(pname, name))
			val = n[col - 1];
	}
	fclose(f);
	return val;
}

long shake_protocols_sockets(const char *name)
{
	return protocols_column(name, 1);
}

long shake_protocols_memory(const char *name)
{
	return protocols_column(name, 2);
}

long shake_protocols_sockets_settle(const char *name, long want)
{
	long n = shake_protocols_sockets(name);
	int i;

	for (i = 0; i < 200 && n != want; i++) {
		usleep(10000);
		n = shake_protocols_sockets(name);
	}
	return n;
}

/* thread-self: /proc/net is the namespace of the process's first thread */
long shake_stat(const char *name)
{
	char n[64];
	long v, found = -1;
	FILE *f = fopen("/proc/thread-self/net/shake_stat", "r");

	if (!f)
		return -1;
	while (fscanf(f, "%63s %ld", n, &v) == 2)
		if (!strcmp(n, name))
			found = v;
	fclose(f);
	return found;
}

/* shake_stat names and where TCP keeps the same count */
static const struct {
	const char *name, *file, *prefix, *tcp_name;
} tcp_counters[] = {
	{ "InSegs", "snmp", "Tcp:", "InSegs" },
	{ "OutSegs", "snmp", "Tcp:", "OutSegs" },
	{ "RetransSegs", "snmp", "Tcp:", "RetransSegs" },
	{ "InErrs", "snmp", "Tcp:", "InErrs" },
	{ "InCsumErrors", "snmp", "Tcp:", "InCsumErrors" },
	{ "OutRsts", "snmp", "Tcp:", "OutRsts" },
	{ "ActiveOpens", "snmp", "Tcp:", "ActiveOpens" },
	{ "PassiveOpens", "snmp", "Tcp:", "PassiveOpens" },
	{ "AttemptFails", "snmp", "Tcp:", "AttemptFails" },
	{ "EstabResets", "snmp", "Tcp:", "EstabResets" },
	{ "CurrEstab", "snmp", "Tcp:", "CurrEstab" },
	{ "FastRetrans", "netstat", "TcpExt:", "TCPFastRetrans" },
	{ "WinProbes", "netstat", "TcpExt:", "TCPWinProbe" },
	{ "Timeouts", "netstat", "TcpExt:", "TCPTimeouts" },
	{ "ListenOverflows", "netstat", "TcpExt:", "ListenOverflows" },
	{ "ListenDrops", "netstat", "TcpExt:", "ListenDrops" },
	{ "AbortOnClose", "netstat", "TcpExt:", "TCPAbortOnClose" },
	{ "AbortOnData", "netstat", "TcpExt:", "TCPAbortOnData" },
	{ "AbortOnTimeout", "netstat", "TcpExt:", "TCPAbortOnTimeout" },
	{ "AbortOnMemory", "netstat", "TcpExt:", "TCPAbortOnMemory" },
	{ "RcvQDrops", "netstat", "TcpExt:", "TCPRcvQDrop" },
	{ "MemoryPressures", "netstat", "TcpExt:", "TCPMemoryPressures" },
	{ "TimeWaitOverflow", "netstat", "TcpExt:", "TCPTimeWaitOverflow" },
	{ "TimeWaits", "netstat", "TcpExt:", "TW" },
	{ "TimeWaitReused", "netstat", "TcpExt:", "TWRecycled" },
	{ "SyncookiesSent", "netstat", "TcpExt:", "SyncookiesSent" },
	{ "SyncookiesRecv", "netstat", "TcpExt:", "SyncookiesRecv" },
	{ "SyncookiesFailed", "netstat", "TcpExt:", "SyncookiesFailed" },
	{ "BacklogDrop", "netstat", "TcpExt:", "TCPBacklogDrop" },
	/* gauges */
	{ "CurrOrphans", "sockstat", "TCP:", "orphan" },
	{ "CurrTimeWait", "sockstat", "TCP:", "tw" },
};

/* /proc/net/sockstat: "TCP: inuse 1 orphan 0 tw 0 alloc 2 mem 1" */
static long sockstat_value(const char *file, const char *prefix,
			   const char *name)
{
	char line[512], *s, *n, *v;
	long found = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		if (strncmp(line, prefix, strlen(prefix)))
			continue;
		strtok_r(line, " \n", &s);
		while ((n = strtok_r(NULL, " \n", &s)) &&
		       (v = strtok_r(NULL, " \n", &s))) {
			if (!strcmp(n, name)) {
				found = strtol(v, NULL, 10);
				break;
			}
		}
	}
	fclose(f);
	return found;
}

long shake_sockstat(const char *prefix, const char *name)
{
	return sockstat_value("/proc/thread-self/net/sockstat", prefix, name);
}

/* /proc/net/snmp and netstat: a line of names, then a line of values */
static long snmp_value(const char *file, const char *prefix, const char *name)
{
	char names[16384], values[16384], *sn, *sv, *n, *v;
	long found = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (found < 0 && fgets(names, sizeof(names), f) &&
	       fgets(values, sizeof(values), f)) {
		if (strncmp(names, prefix, strlen(prefix)))
			continue;
		n = strtok_r(names, " \n", &sn);
		v = strtok_r(values, " \n", &sv);
		while (n && v) {
			if (!strcmp(n, name)) {
				found = strtol(v, NULL, 10);
				break;
			}
			n = strtok_r(NULL, " \n", &sn);
			v = strtok_r(NULL, " \n", &sv);
		}
	}
	fclose(f);
	return found;
}

long shake_counter(int proto, const char *name)
{
	char path[128];
	unsigned int i;

	if (proto != IPPROTO_TCP)
		return shake_stat(name);
	for (i = 0; i < sizeof(tcp_counters) / sizeof(*tcp_counters); i++) {
		if (strcmp(tcp_counters[i].name, name))
			continue;
		snprintf(path, sizeof(path), "/proc/thread-self/net/%s",
			 tcp_counters[i].file);
		if (!strcmp(tcp_counters[i].file, "sockstat"))
			return sockstat_value(path, tcp_counters[i].prefix,
					      tcp_counters[i].tcp_name);
		return snmp_value(path, tcp_counters[i].prefix,
				  tcp_counters[i].tcp_name);
	}
	return -1;
}

int shake_proc_state(int proto, const char *ip, unsigned short port)
{
	char line[512];
	unsigned int st;

	if (shake_proc_find(shake_proc_file(proto), ip, port, line,
			    sizeof(line)) != 1 ||
	    sscanf(line, "%*d: %*s %*s %x", &st) != 1)
		return -1;
	return st;
}

short shake_wait_for(int fd, short events, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = events };

	return poll(&pfd, 1, ms) == 1 ? pfd.revents : 0;
}

int shake_so_error(int fd)
{
	int err = -1;
	socklen_t len = sizeof(err);

	getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
	return err;
}

int shake_as_nobody(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(255);
		_exit(fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return (signed char)WEXITSTATUS(status);
}

double shake_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

bool shake_machine_slow(void)
{
	const char *v = getenv("KSFT_MACHINE_SLOW");

	return v && !strcmp(v, "yes");
}

int shake_cap_open(int ns, int back, const char *dev)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ALL),
	};
	int fd, one = 1, size = 16 << 20, err = 0;

	if (setns(ns, CLONE_NEWNET))
		return -errno;
	/* ETH_P_ALL: an ETH_P_IP socket would not see outgoing frames */
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_ALL));
	sll.sll_ifindex = if_nametoindex(dev);
	if (fd < 0 || !sll.sll_ifindex ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) ||
	    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		err = errno ? errno : ENODEV;
	if (setns(back, CLONE_NEWNET) && !err)
		err = errno;
	if (err) {
		if (fd >= 0)
			close(fd);
		return -err;
	}
	return fd;
}

/* The 16-bit ones' complement sum of n bytes at p, added to sum */
static uint32_t sum16(uint32_t sum, const uint8_t *p, int n)
{
	int i;

	for (i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

/* Whether the segment at th, len bytes, sums right with ip's pseudo-header */
static int seg_csum_ok(const struct iphdr *ip, const uint8_t *th, int len)
{
	uint32_t sum = ip->protocol + len;

	sum = sum16(sum, (const uint8_t *)&ip->saddr, 8);	/* and daddr */
	sum = sum16(sum, th, len);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum == 0xffff;
}

int shake_cap_read(int fd, int proto, struct shake_wseg *seg, int max)
{
	uint8_t buf[2048];	/* whole frames of a 1500-byte MTU */
	char ctl[256];
	int n = 0;

	while (n < max) {
		struct sockaddr_ll sll;
		struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
		struct msghdr m = {
			.msg_name = &sll, .msg_namelen = sizeof(sll),
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = ctl, .msg_controllen = sizeof(ctl),
		};
		struct iphdr *ip = (struct iphdr *)buf;
		struct shake_wseg *w = &seg[n];
		struct cmsghdr *c;
		ssize_t len = recvmsg(fd, &m, MSG_DONTWAIT);
		uint8_t *th;
		int hl;

		if (len < 0)
			break;
		hl = ip->ihl * 4;
		if (sll.sll_protocol != htons(ETH_P_IP) ||
		    len < hl + 20 || ip->protocol != proto)
			continue;
		th = buf + hl;
		memset(w, 0, sizeof(*w));
		w->saddr = ip->saddr;
		w->daddr = ip->daddr;
		w->sport = ntohs(*(uint16_t *)th);
		w->dport = ntohs(*(uint16_t *)(th + 2));
		w->seq = ntohl(*(uint32_t *)(th + 4));
		w->ack = ntohl(*(uint32_t *)(th + 8));
		w->flags = th[13];
		w->win = ntohs(*(uint16_t *)(th + 14));
		w->len = ntohs(ip->tot_len) - hl - (th[12] >> 4) * 4;
		w->csum = len >= ntohs(ip->tot_len) ?
			  seg_csum_ok(ip, th, ntohs(ip->tot_len) - hl) : -1;
		for (c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
			struct tpacket_auxdata aux;
			struct timespec ts;

			if (c->cmsg_level == SOL_PACKET &&
			    c->cmsg_type == PACKET_AUXDATA) {
				memcpy(&aux, CMSG_DATA(c), sizeof(aux));
				if (aux.tp_status & TP_STATUS_CSUMNOTREADY)
					w->csum = -1;
				continue;
			}
			if (c->cmsg_level != SOL_SOCKET ||
			    c->cmsg_type != SCM_TIMESTAMPNS)
				continue;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			w->t = ts.tv_sec + ts.tv_nsec / 1e9;
		}
		n++;
	}
	return n;
}

static unsigned char pattern(size_t i)
{
	return (i * 2654435761u) >> 24;
}

void shake_pattern_fill(void *buf, size_t n, size_t off)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = pattern(off + i);
}

long shake_pattern_check(const void *buf, size_t n, size_t off)
{
	const unsigned char *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != pattern(off + i))
			return i;
	return -1;
}
