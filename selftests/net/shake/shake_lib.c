// SPDX-License-Identifier: GPL-2.0
/* Helpers shared by the shake selftests. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
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

int shake_write_sysctl(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	close(fd);
	return n < 0 ? -errno : 0;
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

long shake_protocols_sockets(const char *name)
{
	char buf[512], pname[64];
	long sockets = -1, n;
	FILE *f = fopen("/proc/net/protocols", "r");

	if (!f)
		return -1;
	while (fgets(buf, sizeof(buf), f)) {
		if (sscanf(buf, "%63s %*u %ld", pname, &n) == 2 &&
		    !strcmp(pname, name))
			sockets = n;
	}
	fclose(f);
	return sockets;
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
};

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
		return snmp_value(path, tcp_counters[i].prefix,
				  tcp_counters[i].tcp_name);
	}
	return -1;
}

int shake_proc_state(const char *ip, unsigned short port)
{
	char line[512];
	unsigned int st;

	if (shake_proc_find("/proc/net/shake", ip, port, line,
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
