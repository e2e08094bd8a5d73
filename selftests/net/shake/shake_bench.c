// SPDX-License-Identifier: GPL-2.0
/*
 * shake_bench: one throughput or rate figure for one transport, so that
 * scripts/bench can set shake beside the kernel's TCP measured in the same
 * VM. Not a test: kselftest-list.txt does not name it.
 *
 *	shake_bench -m bulk|rr|crr [-p tcp|shake|NUMBER] [-t SECONDS]
 *		    [-a ADDRESS] [-S NETNS] [-C NETNS]
 *
 *   bulk  the client writes 128 KiB buffers, the server reads them; MB/s
 *         (10^6 bytes) counted at the receiver
 *   rr    one connection; 1-byte request, 1-byte response; transactions/s
 *   crr   connect, 1-byte request, 1-byte response, close; connections/s
 *
 * -p picks the protocol (default shake: the module's ipproto parameter),
 * -t the length of the measurement (default 4 s), -a the server's address
 * (default 127.0.0.1), -S and -C the network namespaces (ip netns names or
 * paths) of the server and the client, each a process of its own.
 *
 * Prints "VALUE UNIT" and exits 0. When the transport fails, prints the
 * call that failed and its error on stderr and exits 1; exits 2 when the
 * harness itself cannot run (usage, fork, namespaces).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shake_lib.h"

#ifndef __noreturn
#define __noreturn	__attribute__((noreturn))
#endif

#define BULK_BUF	(128 * 1024)
#define BACKLOG		128

enum mode { BULK, RR, CRR };

static enum mode mode = BULK;
static int proto = -1;
static double seconds = 4;
static const char *addr = "127.0.0.1";
static const char *server_ns, *client_ns;

/* write end of the pipe on which both children report to the parent */
static int report_fd = -1;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * One line to the parent: "port N", "ok VALUE UNIT", "err WHAT" (the
 * transport failed) or "harness WHAT". A pipe write below PIPE_BUF is
 * atomic, so the two children's lines never mix, and the first error
 * written is the cause: the other side only sees its consequences.
 */
static void report(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(report_fd, line, n) != n)
		_exit(2);
}

/* A socket call failed: report it with errno and end this side. */
static void __noreturn fail(const char *what)
{
	report("err %s: %s", what, strerror(errno));
	_exit(1);
}

static void __noreturn fail_msg(const char *what)
{
	report("err %s", what);
	_exit(1);
}

static void enter_netns(const char *ns)
{
	char path[256];
	int fd;

	if (!ns)
		return;
	if (strchr(ns, '/'))
		snprintf(path, sizeof(path), "%s", ns);
	else
		snprintf(path, sizeof(path), "/run/netns/%s", ns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		report("harness network namespace %s: %s", path,
		       strerror(errno));
		_exit(2);
	}
	close(fd);
}

static void send_byte(int fd)
{
	char c = 'x';
	ssize_t n = send(fd, &c, 1, MSG_NOSIGNAL);

	if (n < 0)
		fail("send");
	if (n != 1)
		fail_msg("send: nothing sent");
}

/* 1 when a byte came, 0 at the end of the stream */
static int recv_byte(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, 0);

	if (n < 0)
		fail("recv");
	return n;
}

/* Counted from the first byte in, so connection setup stays out of it. */
static void bulk_server(int lfd)
{
	char *buf = malloc(BULK_BUF);
	double start = 0, t;
	long long bytes = 0;
	int fd;

	if (!buf)
		fail("malloc");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		fail("accept");
	for (;;) {
		ssize_t n = recv(fd, buf, BULK_BUF, 0);

		if (n < 0)
			fail("recv");
		if (n == 0)
			fail_msg("recv: the sender closed early");
		t = now();
		if (!start) {
			/* these bytes came before the clock started */
			start = t;
			continue;
		}
		bytes += n;
		if (t - start >= seconds)
			break;
	}
	report("ok %.1f MB/s", bytes / (t - start) / 1e6);
}

static void bulk_client(int fd)
{
	char *buf = calloc(1, BULK_BUF);
	double start = now();

	if (!buf)
		fail("calloc");
	for (;;) {
		if (send(fd, buf, BULK_BUF, MSG_NOSIGNAL) >= 0)
			continue;
		/*
		 * The receiver started its clock after our first send and
		 * stops when it has counted long enough; an error after that
		 * is its close, not a failure.
		 */
		if (now() - start >= seconds)
			_exit(0);
		fail("send");
	}
}

static void rr_server(int lfd)
{
	int fd = accept(lfd, NULL, NULL);

	if (fd < 0)
		fail("accept");
	for (;;) {
		char c;
		ssize_t n = recv(fd, &c, 1, 0);

		/* the client ends the run by closing */
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			_exit(0);
		if (n < 0)
			fail("recv");
		send_byte(fd);
	}
}

static void rr_client(int fd)
{
	double start = now(), t;
	long n = 0;

	do {
		send_byte(fd);
		if (!recv_byte(fd))
			fail_msg("recv: the server closed the connection");
		n++;
		t = now();
	} while (t - start < seconds);
	report("ok %.1f trans/s", n / (t - start));
}

/*
 * The server closes first and the client closes when it sees the end of
 * the stream. So TIME_WAIT falls on the server, where it holds a 4-tuple
 * with a client port that the client's next connect() is unlikely to pick
 * (and a new SYN may reopen one), while the client, which allocates a port
 * per connection, keeps none: a run of any length cannot exhaust the
 * ephemeral ports, for either protocol, with no sysctl changed. SO_LINGER
 * {1, 0} would avoid TIME_WAIT too, but it turns the close into an abort
 * and so changes what is measured.
 */
static void crr_server(int lfd)
{
	for (;;) {
		int fd = accept(lfd, NULL, NULL);

		if (fd < 0)
			fail("accept");
		if (!recv_byte(fd))
			fail_msg("recv: the client closed before its request");
		send_byte(fd);
		close(fd);
	}
}

static void crr_client(const struct sockaddr_in *sin)
{
	double start = now(), t;
	long n = 0;

	do {
		int fd = socket(AF_INET, SOCK_STREAM, proto);
		char c;
		ssize_t r;

		if (fd < 0)
			fail("socket");
		if (connect(fd, (const struct sockaddr *)sin, sizeof(*sin)))
			fail("connect");
		send_byte(fd);
		if (!recv_byte(fd))
			fail_msg("recv: the server closed before its response");
		/* the server's close; a reset is a close too (shake's, today) */
		r = recv(fd, &c, 1, 0);
		if (r > 0)
			fail_msg("recv: more than one byte of response");
		if (r < 0 && errno != ECONNRESET)
			fail("recv (end of stream)");
		close(fd);
		n++;
		t = now();
	} while (t - start < seconds);
	report("ok %.1f conn/s", n / (t - start));
}

static void __noreturn server(void)
{
	int lfd;

	enter_netns(server_ns);
	lfd = socket(AF_INET, SOCK_STREAM, proto);
	if (lfd < 0)
		fail("socket");
	if (shake_bind(lfd, addr, 0))
		fail("bind");
	if (listen(lfd, BACKLOG))
		fail("listen");
	report("port %d", shake_local_port(lfd));
	switch (mode) {
	case BULK:
		bulk_server(lfd);
		break;
	case RR:
		rr_server(lfd);
		break;
	case CRR:
		crr_server(lfd);
		break;
	}
	_exit(0);
}

static void __noreturn client(unsigned short port)
{
	struct sockaddr_in sin = shake_addr(addr, port);
	int fd;

	enter_netns(client_ns);
	if (mode == CRR) {
		crr_client(&sin);
		_exit(0);
	}
	fd = socket(AF_INET, SOCK_STREAM, proto);
	if (fd < 0)
		fail("socket");
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)))
		fail("connect");
	if (mode == BULK)
		bulk_client(fd);
	else
		rr_client(fd);
	_exit(0);
}

/* The next line from the children: 1, 0 at EOF, -1 past the deadline. */
static int read_line(int fd, char *line, size_t len, double deadline)
{
	static char buf[2048];
	static size_t have;

	for (;;) {
		char *nl = memchr(buf, '\n', have);
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int ms;

		if (nl) {
			size_t l = nl - buf;

			snprintf(line, len, "%.*s", (int)l, buf);
			have -= l + 1;
			memmove(buf, nl + 1, have);
			return 1;
		}
		if (have == sizeof(buf))
			have = 0;	/* a line that long is garbage */
		ms = (deadline - now()) * 1000;
		if (ms <= 0)
			return -1;
		n = poll(&pfd, 1, ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return -1;
		n = read(fd, buf + have, sizeof(buf) - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		have += n;
	}
}

static void __noreturn usage(void)
{
	fprintf(stderr,
		"usage: shake_bench -m bulk|rr|crr [-p tcp|shake|NUMBER] [-t SECONDS]\n"
		"                   [-a ADDRESS] [-S NETNS] [-C NETNS]\n");
	exit(2);
}

static void parse(int argc, char **argv)
{
	char *end;
	int c;

	while ((c = getopt(argc, argv, "m:p:t:a:S:C:h")) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "bulk"))
				mode = BULK;
			else if (!strcmp(optarg, "rr"))
				mode = RR;
			else if (!strcmp(optarg, "crr"))
				mode = CRR;
			else
				usage();
			break;
		case 'p':
			if (!strcmp(optarg, "tcp"))
				proto = IPPROTO_TCP;
			else if (!strcmp(optarg, "shake"))
				proto = shake_proto();
			else
				proto = strtol(optarg, &end, 10);
			if (proto <= 0 || proto > 255 ||
			    (isdigit(*optarg) && *end))
				usage();
			break;
		case 't':
			seconds = strtod(optarg, &end);
			if (*end || !(seconds > 0 && seconds < 3600))
				usage();
			break;
		case 'a':
			addr = optarg;
			break;
		case 'S':
			server_ns = optarg;
			break;
		case 'C':
			client_ns = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (proto < 0)
		proto = shake_proto();
}

int main(int argc, char **argv)
{
	double deadline;
	char line[256];
	pid_t srv, cli = -1;
	int p[2], port, r, rc;

	parse(argc, argv);
	/* a run that hangs (a segment lost for good, say) fails */
	deadline = now() + 2 * seconds + 10;
	signal(SIGPIPE, SIG_IGN);
	if (pipe(p)) {
		perror("shake_bench: pipe");
		return 2;
	}
	fflush(NULL);
	srv = fork();
	if (srv < 0) {
		perror("shake_bench: fork");
		return 2;
	}
	if (!srv) {
		close(p[0]);
		report_fd = p[1];
		server();
	}

	/* the client starts once the server listens and said on which port */
	r = read_line(p[0], line, sizeof(line), deadline);
	if (r == 1 && sscanf(line, "port %d", &port) == 1) {
		cli = fork();
		if (cli < 0) {
			perror("shake_bench: fork");
			kill(srv, SIGKILL);
			return 2;
		}
		if (!cli) {
			close(p[0]);
			report_fd = p[1];
			client(port);
		}
		r = read_line(p[0], line, sizeof(line), deadline);
	}
	close(p[1]);

	/* One line decides; the other side, maybe blocked, is not needed. */
	kill(srv, SIGKILL);
	if (cli > 0)
		kill(cli, SIGKILL);
	waitpid(srv, NULL, 0);
	if (cli > 0)
		waitpid(cli, NULL, 0);

	if (r < 0) {
		fprintf(stderr, "shake_bench: timed out after %.0f s\n",
			2 * seconds + 10);
		rc = 1;
	} else if (r == 0) {
		fprintf(stderr, "shake_bench: no result from the server or client\n");
		rc = 2;
	} else if (!strncmp(line, "ok ", 3)) {
		printf("%s\n", line + 3);
		rc = 0;
	} else if (!strncmp(line, "err ", 4)) {
		fprintf(stderr, "shake_bench: %s\n", line + 4);
		rc = 1;
	} else if (!strncmp(line, "harness ", 8)) {
		fprintf(stderr, "shake_bench: %s\n", line + 8);
		rc = 2;
	} else {
		fprintf(stderr, "shake_bench: unexpected report: %s\n", line);
		rc = 2;
	}
	return rc;
}
